"""The classroom kit's orchestration: settings, emulator process, Terraform runner, teardown."""
