"""The App Home: ``service`` reads what one user sees in one tenant transaction, ``views``
renders it as a Home tab."""
