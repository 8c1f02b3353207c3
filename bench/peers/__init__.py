"""The sides coedp is measured against, each a tiny script run as a subprocess."""
