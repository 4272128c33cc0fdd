"""One module per resource kind; importing this package registers them all (order does not matter:
the deletion order comes from each kind's ``depends_on``)."""

# Registration order only breaks ties between independent kinds: what bills most per hour goes first.
from provision.teardown.kinds import (  # noqa: F401, I001
    tuning_jobs,
    training_jobs,
    transform_jobs,
    endpoints,
    notebook_instances,
    studio_apps,
    spaces,
    user_profiles,
    domain,
    efs_mount_targets,
    efs_file_systems,
    nfs_security_groups,
    endpoint_configs,
    models,
    buckets,
    sdk_default_bucket,
    log_groups,
    log_streams,
    terraform_state,
)
