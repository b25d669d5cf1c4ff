"""Model routing: the catalogue of models, each organization's policy, prices and latencies.

The worker's router (``workers.providers.router``) tries the models in the order chosen here;
the quota (``bot.quota``) reserves and settles the money the price table says a job costs.
"""
