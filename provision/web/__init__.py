"""The class's web page: ask a deployed model from a browser (``classroom serve``).

- ``endpoints``     which endpoints belong to the class, their job and time left (one paged list + tags);
- ``expiry``        the sweep that removes expired endpoints (with their config and model);
- ``forms``         validation of one form post against the job's declared fields;
- ``csrf``          a per-session token for every form post;
- ``models``        the jobs' serving objects (feature pipelines) and one InvokeEndpoint;
- ``app``           the Flask app factory, its templates and CSS;
- ``endpoint_api``  the zip for the optional Lambda + HTTP API module (terraform/modules/endpoint-api).
"""
