//! Ids and names: 64-hex random ids, user name validation and generated `adjective_surname`
//! names (our own word lists: adjectives of temperament, surnames of people who built
//! computing and navigation).

use rand::RngExt as _;

use berth_config::{NameError, NameKind};

use crate::error::{Error, Result};

/// A new random id: 64 lowercase hex characters (32 random bytes).
pub fn new_id() -> String {
    let mut rng = rand::rng();
    let bytes: [u8; 32] = rng.random();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let out: String = bytes
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .map(char::from)
        .collect();
    // An all-digit id would be confused with a number by some tools; podman rerolls too.
    if out.bytes().all(|c| c.is_ascii_digit()) {
        return new_id();
    }
    out
}

/// Checks a user-given container, pod or volume name: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most
/// 253 characters (berth-config's name rule).
pub fn validate_name(name: &str) -> Result<()> {
    check_name(NameKind::Container, name)
}

/// Checks a `kind` name by berth-config's one name rule ([`berth_config::check_name`]).
pub fn check_name(kind: NameKind, name: &str) -> Result<()> {
    let what = match kind {
        NameKind::Network => "network name",
        NameKind::Container | NameKind::Pod | NameKind::Volume => "name",
    };
    berth_config::check_name(kind, name).map_err(|e| match e {
        NameError::Pattern => Error::invalid(what, name, format!("names {e}")),
        NameError::Empty | NameError::TooLong { .. } => Error::invalid(what, name, e.to_string()),
    })
}

const ADJECTIVES: &[&str] = &[
    "agile",
    "amiable",
    "ardent",
    "astute",
    "blithe",
    "bold",
    "brave",
    "breezy",
    "bright",
    "buoyant",
    "calm",
    "candid",
    "careful",
    "cheerful",
    "civil",
    "clever",
    "cordial",
    "curious",
    "daring",
    "deft",
    "devoted",
    "diligent",
    "eager",
    "earnest",
    "easygoing",
    "elated",
    "fearless",
    "fervent",
    "fond",
    "frank",
    "friendly",
    "gallant",
    "genial",
    "gentle",
    "gleeful",
    "gracious",
    "hardy",
    "hearty",
    "honest",
    "hopeful",
    "humble",
    "jaunty",
    "jolly",
    "jovial",
    "keen",
    "kind",
    "lively",
    "loyal",
    "lucid",
    "merry",
    "mellow",
    "mindful",
    "modest",
    "nimble",
    "noble",
    "patient",
    "peppy",
    "placid",
    "plucky",
    "polite",
    "proud",
    "quiet",
    "quirky",
    "radiant",
    "ready",
    "resolute",
    "robust",
    "rosy",
    "serene",
    "sincere",
    "sleepy",
    "snappy",
    "sober",
    "spry",
    "stalwart",
    "steady",
    "stoic",
    "sturdy",
    "sunny",
    "swift",
    "tender",
    "thrifty",
    "tidy",
    "tireless",
    "upbeat",
    "valiant",
    "vivid",
    "wary",
    "whimsical",
    "witty",
    "zany",
    "zealous",
];

const SURNAMES: &[&str] = &[
    "abel",
    "agnesi",
    "allen",
    "babbage",
    "backus",
    "baran",
    "bartik",
    "bell",
    "bohr",
    "boole",
    "borg",
    "brattain",
    "cerf",
    "church",
    "codd",
    "conway",
    "cray",
    "dahl",
    "dijkstra",
    "easley",
    "eckert",
    "engelbart",
    "erdos",
    "euler",
    "fano",
    "feistel",
    "floyd",
    "gauss",
    "germain",
    "goldberg",
    "hamming",
    "hartree",
    "heron",
    "hollerith",
    "hopper",
    "huffman",
    "jacquard",
    "johnson",
    "kahan",
    "kay",
    "kernighan",
    "kilby",
    "knuth",
    "lamport",
    "lamarr",
    "liskov",
    "lovelace",
    "mauchly",
    "mccarthy",
    "meitner",
    "merkle",
    "minsky",
    "moore",
    "napier",
    "naur",
    "neumann",
    "noether",
    "noyce",
    "nygaard",
    "pascal",
    "perlis",
    "postel",
    "rabin",
    "ritchie",
    "rivest",
    "sammet",
    "shannon",
    "shamir",
    "simon",
    "somerville",
    "stibitz",
    "sutherland",
    "tarjan",
    "thompson",
    "torvalds",
    "turing",
    "vaughan",
    "wheeler",
    "wilkes",
    "wirth",
    "wozniak",
    "yao",
    "zuse",
];

/// A random `adjective_surname` name. Callers check it is free and retry.
pub fn generate_name() -> String {
    let mut rng = rand::rng();
    let a = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
    let s = SURNAMES[rng.random_range(0..SURNAMES.len())];
    format!("{a}_{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_64_hex_and_distinct() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.len(), 64);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert!(berth_state::is_valid_id(&a));
        assert_ne!(a, b);
    }

    #[test]
    fn generated_names_are_valid() {
        for _ in 0..200 {
            let n = generate_name();
            validate_name(&n).unwrap();
            let (a, s) = n.split_once('_').unwrap();
            assert!(ADJECTIVES.contains(&a) && SURNAMES.contains(&s), "{n}");
        }
    }

    #[test]
    fn word_lists_have_no_duplicates() {
        for list in [ADJECTIVES, SURNAMES] {
            let mut v = list.to_vec();
            v.sort_unstable();
            v.dedup();
            assert_eq!(v.len(), list.len());
        }
    }

    #[test]
    fn bad_names_are_refused_with_the_rule() {
        for bad in ["", "-x", "_x", ".x", "a b", "a/b", "ä", "a:b"] {
            let err = validate_name(bad).unwrap_err().to_string();
            assert!(err.contains("name"), "{bad}: {err}");
        }
        for good in ["a", "A1", "web-1", "x_y.z", "9"] {
            validate_name(good).unwrap();
        }
        assert_eq!(
            validate_name("-x").unwrap_err().to_string(),
            validate_name("a b")
                .unwrap_err()
                .to_string()
                .replace("a b", "-x")
        );
        assert!(validate_name("")
            .unwrap_err()
            .to_string()
            .contains("must not be empty"));
        assert!(validate_name("a:b")
            .unwrap_err()
            .to_string()
            .contains("names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"));
    }

    #[test]
    fn length_caps_come_from_the_kind() {
        validate_name(&"a".repeat(253)).unwrap();
        let err = validate_name(&"a".repeat(254)).unwrap_err().to_string();
        assert!(err.contains("at most 253"), "{err}");
        check_name(NameKind::Network, &"n".repeat(200)).unwrap();
        let err = check_name(NameKind::Network, &"n".repeat(201))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("network name") && err.contains("at most 200"),
            "{err}"
        );
    }
}
