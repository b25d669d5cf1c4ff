"""What every process sets up before it serves: ``settings`` (the environment, read once),
``runtime`` (database, Redis and the secret box built from them), ``preflight`` (refusing to start
as a database role Row-Level Security does not hold for; warning of an evicting Redis) and
``cores`` (how many cores it may use)."""
