//! Meeting templates: defaults from assets/templates.toml, overridden by the config file.
