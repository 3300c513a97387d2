"""The clock process: FieldLine's scheduled jobs, run by APScheduler 3.x in a process of its own."""
