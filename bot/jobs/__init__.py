"""Jobs: a prompt accepted from Slack becomes a committed `queued` row, then a message on the broker.

``service`` checks, guards, reserves and commits (``JobService.submit``); ``queueing`` is the broker
contract the web side and the workers share (task names, queues, priorities); ``background_sends``
publishes committed jobs after the answer. What a worker does with a job is ``workers/``.
See ARCHITECTURE.md, "The path of one command".
"""
