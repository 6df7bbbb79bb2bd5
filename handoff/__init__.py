"""Human handoff: tickets, the priority queue, SLAs and the agent console (in progress)."""
