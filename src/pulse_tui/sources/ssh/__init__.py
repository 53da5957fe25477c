"""Logs over SSH: connections (known hosts, jump hosts), the remote tail script, reconnects,
line reading, and the history a first look loads.

    tail.py             SshLogSource: files and journald units, resumed after reconnects
    connect.py          connections, jump hosts, host keys; the channel queue
    remote_commands.py  every command run on a host, from fixed scripts and quoted paths
    history.py          where a file's range starts: the binary search on line times
    range_reader.py     the reads that search makes, through one channel per host
    line_reader.py      byte chunks -> whole, sanitised lines
    check.py            `pulse-tui check` for a log host
    policy.py           the ssh config options we honour, and those we refuse
"""
