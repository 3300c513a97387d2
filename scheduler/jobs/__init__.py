"""The clock's jobs by domain: riskpoint_jobs, network_jobs, workgroup_jobs, upkeep_jobs; registry names them all.

Each job is a module-level function of a context (scheduler/context.py) and a period key, returning a
short note for the run's record. Who receives what is said at the top of each module.
"""
