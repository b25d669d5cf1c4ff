"""The `/content` command language: ``parser`` turns text into a typed command, ``views`` renders
every answer (help, acks, errors a user can fix, apologies). The handler that joins them is
``handlers/commands.py``; adding a sub-command is described in ARCHITECTURE.md.
"""
