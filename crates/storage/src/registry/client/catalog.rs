//! Listing calls: `/v2/_catalog` (following its `Link` pages) and
//! `/v2/<name>/tags/list`.

use std::io::Read;

use serde::Deserialize;

use super::{header, Client, Payload, MAX_MANIFEST};
use crate::registry::error::{Error, Result};

#[derive(Deserialize)]
struct Catalog {
    #[serde(default)]
    repositories: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct TagList {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// Pages followed at most, so a registry that links to itself cannot loop.
const MAX_PAGES: usize = 1000;

impl Client {
    /// GETs `path` (absolute on the registry) and parses its JSON; the
    /// `Link` header's next page, if any.
    fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        scope: &str,
    ) -> Result<(T, Option<String>)> {
        let url = format!("{}{path}", self.base);
        let resp = self.request("GET", &url, scope, &[], Payload::Empty)?;
        if resp.status().as_u16() != 200 {
            return Err(Self::status_err("GET", &url, resp));
        }
        let next = header(&resp, "link").and_then(next_page);
        let mut data = Vec::new();
        resp.into_body()
            .into_reader()
            .take(MAX_MANIFEST + 1)
            .read_to_end(&mut data)
            .map_err(|e| Error::io("read", &url, e))?;
        if data.len() as u64 > MAX_MANIFEST {
            return Err(Error::bad(url, format!("larger than {MAX_MANIFEST} bytes")));
        }
        let v = serde_json::from_slice(&data).map_err(|e| Error::bad(&url, e.to_string()))?;
        Ok((v, next))
    }

    /// Repositories of the catalog whose name contains `term`, at most
    /// `limit`, a name equal to `term` first (as containers/image orders them).
    pub fn search_catalog(&self, term: &str, limit: usize) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        let mut path = Some("/v2/_catalog".to_owned());
        let mut pages = 0;
        while let Some(p) = path.take() {
            if out.len() >= limit || pages == MAX_PAGES {
                break;
            }
            pages += 1;
            let (c, next): (Catalog, _) = self.get_json(&p, "registry:catalog:*")?;
            for repo in c.repositories.unwrap_or_default() {
                if out.len() == limit {
                    break;
                }
                if repo.contains(term) {
                    if repo == term {
                        out.insert(0, repo);
                    } else {
                        out.push(repo);
                    }
                }
            }
            path = next;
        }
        Ok(out)
    }

    /// Every tag of `repo`, in the registry's order.
    pub fn list_tags(&self, repo: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let mut path = Some(format!("/v2/{repo}/tags/list"));
        let scope = format!("repository:{repo}:pull");
        let mut pages = 0;
        while let Some(p) = path.take() {
            if pages == MAX_PAGES {
                break;
            }
            pages += 1;
            let (t, next): (TagList, _) = self.get_json(&p, &scope)?;
            out.extend(t.tags.unwrap_or_default());
            path = next;
        }
        Ok(out)
    }
}

/// The path and query of a `Link: <url>; rel="next"` header.
fn next_page(link: &str) -> Option<String> {
    let target = link.split(';').next()?.trim().trim_matches(['<', '>']);
    if target.is_empty() {
        return None;
    }
    let rest = match target.find("://") {
        Some(i) => {
            let after = &target[i + 3..];
            &after[after.find('/')?..]
        }
        None => target,
    };
    rest.starts_with('/').then(|| rest.to_owned())
}

#[cfg(test)]
mod tests {
    use super::next_page;

    #[test]
    fn link_headers_give_the_next_path() {
        assert_eq!(
            next_page("</v2/_catalog?last=b&n=2>; rel=\"next\"").as_deref(),
            Some("/v2/_catalog?last=b&n=2")
        );
        assert_eq!(
            next_page("<https://r.io/v2/_catalog?n=1>; rel=\"next\"").as_deref(),
            Some("/v2/_catalog?n=1")
        );
        assert_eq!(next_page("garbage"), None);
        assert_eq!(next_page("<>"), None);
    }
}
