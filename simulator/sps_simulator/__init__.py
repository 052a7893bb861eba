"""An embedded SPS appliance: a real HTTPS server that follows the documented REST API."""
