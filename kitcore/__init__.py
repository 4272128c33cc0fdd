"""The kit's core: what provision/ (the CLI) and jobs/ (the lesson jobs) both stand on.

- ``errors``   KitError, the one error a user can fix (printed as one ``error:`` line);
- ``statedir`` the private state folder (0700 directories, 0600 files);
- ``aws``      AWS details written once: not-found and transient errors, retries, paging, waiting
               for a status, deleting an endpoint with its config and model;
- ``tags``     the tag keys the kit writes and scopes by;
- ``times``    the one UTC time format of tags and state files.

It imports nothing from provision/ or jobs/ (tests/test_layering.py checks it).
"""
