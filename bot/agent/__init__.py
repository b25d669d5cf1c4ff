"""The bot's DM (Slack's agent messaging): what a message asks for, the thread's status and title,
and "post to channel" for a result made there."""
