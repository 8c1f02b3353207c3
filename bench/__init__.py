"""coedp's benchmark: synthetic graphs, peers, a load generator and one command to run them."""
