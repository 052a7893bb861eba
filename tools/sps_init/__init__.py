"""`sps-init DIR`: a ready repository for a team that manages its SPS appliances as code, outside
this project's checkout (README "Working from your own repository")."""
