// The rows of the dashboard, top to bottom, one file each: add a panel to a row's file, or a
// row here.
[
  import 'overview.libsonnet',
  import 'batches.libsonnet',
  import 'exporter.libsonnet',
  import 'sessions.libsonnet',
]
