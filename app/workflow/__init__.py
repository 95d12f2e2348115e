"""The incident workflow core: state machine, priorities, SOPs, grouping, alarm load, handover.

Pure, Qt-free and I/O-free except the SOP file loader; the hub calls these functions on its
own thread and publishes what they return.
"""
