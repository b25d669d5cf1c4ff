"""Approvals: a result waits for an admin's decision before it is posted.

``service`` decides (role and job checked in the clicker's tenant session) and expires old
requests; ``views`` is what Slack shows (the request, the reject modal); ``messages`` sends and
updates those messages. The buttons are ``handlers/actions.py``; asking the approvers is
``workers/approval.py``.
"""
