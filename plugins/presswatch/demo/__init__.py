"""Demo data: a realistic registry and activity history at any scale (``presswatch demo seed``).

``registry_writer`` writes the registry CSV files (the committed ``include/demo_registry`` is
its first 28 institutions, the real ones); ``generator`` imports them and fills the simulated
platforms, the simulated story sources (the monitoring portal and the outlets' feeds) and the
activity tables with set-based SQL from ``sql/demo``.
"""
