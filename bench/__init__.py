"""Benchmarks of SuiteGraph against the NetSuite sandbox: ``python -m bench [--quick]``."""
