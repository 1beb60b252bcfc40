//! Image references as users type them: parsing never panics, and a
//! reference that parses prints as text that parses back to the same
//! registry, repository, tag and digest.
#![no_main]

use berth_storage::Reference;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Reference::parse_name_only(text);
    let _ = berth_storage::normalize_name(text);
    let Ok(r) = Reference::parse(text) else {
        return;
    };
    let _ = (r.repository(), r.name_string());
    let printed = r.to_string();
    let again = Reference::parse(&printed)
        .unwrap_or_else(|e| panic!("{text:?} printed as {printed:?}, which does not parse: {e}"));
    assert_eq!(
        (&again.domain, &again.path, &again.tag, &again.digest),
        (&r.domain, &r.path, &r.tag, &r.digest),
        "{text:?} printed as {printed:?}"
    );
});
