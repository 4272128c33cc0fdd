"""The class's server-side reaper (issue 16).

- ``handler``  the Lambda function itself (standard library + boto3 only; zipped as it is);
- ``package``  builds its zip deterministically (no archive provider offline);
- ``report``   what ``classroom status`` shows: when it last ran and what it removed.

The Terraform side is ``terraform/modules/reaper``, composed by ``terraform/classroom``.
"""
