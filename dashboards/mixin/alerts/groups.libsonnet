// The alert groups, one file each: add a file here to add a group.
[
  import 'exporter.libsonnet',
  import 'batches.libsonnet',
  import 'sessions.libsonnet',
]
