// The recording-rule groups, one file each: add a file here to add a group.
[
  import 'batches.libsonnet',
]
