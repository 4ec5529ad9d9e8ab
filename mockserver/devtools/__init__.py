"""The development tools around the app: control plane, dashboard, journal, faults, seeding, snapshots."""
