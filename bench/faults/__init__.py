"""The fault-injection suite's parts: the cluster it starts, the load it drives, the faults it
injects on a timetable, and the invariants it checks afterwards (``bench/fault_suite.py``)."""
