//! The CLI's host on a machine without a keychain (a CI runner, a server in a container): the keys
//! come from the environment, where the CI service's or the server's own secret store put them.
//! A key named `test-password` is `PREFLIGHT_KEY_TEST_PASSWORD`; a channel named `phone` has its
//! address in `PREFLIGHT_CHANNEL_PHONE` (and an ntfy token in `PREFLIGHT_CHANNEL_PHONE_TOKEN`).

use preflight_flow::Host;
use preflight_vault::Sensitive;
use std::path::PathBuf;
use std::sync::Arc;

/// Wraps the CLI's own host: the same data folder, the keys from the environment.
pub struct EnvHost(pub Arc<dyn Host>);

impl Host for EnvHost {
    fn data_dir(&self) -> Option<PathBuf> {
        self.0.data_dir()
    }
    fn key(&self, _product: &str, name: &str) -> Option<Result<Sensitive<String>, String>> {
        let var = var_name("PREFLIGHT_KEY_", name);
        Some(read(&var).ok_or_else(|| format!("{var} is not set here: add the key `{name}` to this machine's secrets under that name")))
    }
}

/// `PREFIX` and `name` in capitals, every other character as `_`: `test-user` → `PREFLIGHT_KEY_TEST_USER`.
pub fn var_name(prefix: &str, name: &str) -> String {
    let tail: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("{prefix}{tail}")
}

/// A variable's value, when it is set and not empty.
pub fn read(var: &str) -> Option<Sensitive<String>> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty()).map(|v| Sensitive::new(v.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_becomes_one_variable() {
        assert_eq!(var_name("PREFLIGHT_KEY_", "test-password"), "PREFLIGHT_KEY_TEST_PASSWORD");
        assert_eq!(var_name("PREFLIGHT_CHANNEL_", "Team Slack"), "PREFLIGHT_CHANNEL_TEAM_SLACK");
    }
}
