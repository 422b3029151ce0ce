"""Analyses built on model runs: uncertainty, deals, winners and losers, drivers."""
