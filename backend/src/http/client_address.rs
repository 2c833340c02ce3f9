//! The client's address, for sign-in throttling and the audit trail: the socket's peer, or,
//! when the peer is a trusted proxy (`REEL_TRUSTED_PROXIES`), the nearest address in the
//! forwarding chain that is not a trusted proxy. From anyone else `X-Forwarded-For` and
//! `Forwarded` are the client's to invent, so they are ignored.
//!
//! The chain is `X-Forwarded-For` (what nginx's `$proxy_add_x_forwarded_for` appends to), or
//! `Forwarded` (RFC 7239) when a request has no `X-Forwarded-For`. It is read from the right,
//! the hop the trusted proxy itself added, leftwards past other trusted proxies: everything
//! left of the first untrusted hop could have been written by that client.

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The address a request comes from, as far as the trusted proxies vouch for it.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut nearest = peer;
    for hop in chain(headers).iter().rev() {
        match parse_hop(hop) {
            Some(ip) if is_trusted(&ip) => nearest = ip,
            Some(ip) => return Some(ip),
            // `unknown` or an obfuscated name: nothing further left can be believed.
            None => return Some(nearest),
        }
    }
    Some(nearest)
}

/// The forwarding chain, leftmost (farthest) hop first.
fn chain(headers: &HeaderMap) -> Vec<String> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|hop| hop.trim().to_string())
            .filter(|hop| !hop.is_empty())
            .collect()
    };
    let forwarded_for = values("x-forwarded-for");
    if !forwarded_for.is_empty() {
        return forwarded_for;
    }
    values("forwarded")
        .iter()
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim().trim_matches('"').to_string())
            })
        })
        .collect()
}

/// One hop: an address, maybe with a port, IPv6 maybe in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("an address"))
    }

    fn nets(text: &[&str]) -> Vec<IpNet> {
        text.iter().map(|n| n.parse().expect("a network")).collect()
    }

    #[test]
    fn without_trusted_proxies_the_headers_are_ignored() {
        let forged = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(client_ip(ip("127.0.0.1"), &forged, &[]), ip("127.0.0.1"));
        let other = nets(&["10.0.0.0/8"]);
        assert_eq!(client_ip(ip("127.0.0.1"), &forged, &other), ip("127.0.0.1"));
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client_whatever_it_wrote_before() {
        let trusted = nets(&["127.0.0.1/32", "10.0.0.0/8"]);
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.9, 10.1.1.1")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &chain, &trusted),
            ip("198.51.100.9")
        );
        let split = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "198.51.100.9:4711"),
        ]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &split, &trusted),
            ip("198.51.100.9")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers(&[]), &trusted),
            ip("127.0.0.1")
        );
        let all_trusted = headers(&[("x-forwarded-for", "10.0.0.2, 10.0.0.3")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &all_trusted, &trusted),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let trusted = nets(&["127.0.0.1/32"]);
        let rfc = headers(&[(
            "forwarded",
            r#"for=1.2.3.4, for="[2001:db8::7]:4711";proto=https"#,
        )]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &rfc, &trusted),
            ip("2001:db8::7")
        );
        let hidden = headers(&[("forwarded", "for=1.2.3.4, for=_hidden")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &hidden, &trusted),
            ip("127.0.0.1")
        );
        let both = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("forwarded", "for=1.2.3.4"),
        ]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &both, &trusted),
            ip("198.51.100.1")
        );
    }
}
