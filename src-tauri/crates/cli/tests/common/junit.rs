//! Reads a JUnit report the way a CI service does: with an XML parser, suite by suite, checking
//! that the counts the suites declare are the cases and failures they hold.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// One `<testsuite>` as a consumer sees it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Suite {
    pub name: String,
    pub cases: Vec<Case>,
}

/// One `<testcase>`: its class and name, and the message of its `<failure>` when it has one.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Case {
    pub classname: String,
    pub name: String,
    pub failure: Option<String>,
    pub skipped: bool,
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .filter_map(Result::ok)
        .find(|a| a.key.into_inner() == key)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

/// The suites of `xml`; panics (this is a test) when the XML is malformed or a suite's `tests` or
/// `failures` attribute disagrees with what it holds.
pub fn parse(xml: &str) -> Vec<Suite> {
    let mut reader = Reader::from_str(xml);
    let mut suites: Vec<Suite> = Vec::new();
    let mut declared: Vec<(usize, usize)> = Vec::new();
    loop {
        let event = reader.read_event().unwrap_or_else(|e| panic!("malformed JUnit at {}: {e}\n{xml}", reader.buffer_position()));
        let e = match &event {
            Event::Start(e) | Event::Empty(e) => e,
            Event::Eof => break,
            _ => continue,
        };
        let count = |k: &str| attr(e, k).map_or(0, |v| v.parse::<usize>().unwrap_or_else(|_| panic!("{k}={v:?} is not a count")));
        match e.name().into_inner() {
            "testsuite" => {
                suites.push(Suite { name: attr(e, "name").unwrap_or_default(), cases: Vec::new() });
                declared.push((count("tests"), count("failures")));
            }
            "testcase" => {
                let case = Case {
                    classname: attr(e, "classname").unwrap_or_default(),
                    name: attr(e, "name").unwrap_or_default(),
                    ..Case::default()
                };
                suites.last_mut().expect("a testcase outside a testsuite").cases.push(case);
            }
            "failure" => {
                let case = suites.last_mut().and_then(|s| s.cases.last_mut()).expect("a failure outside a testcase");
                case.failure = Some(attr(e, "message").unwrap_or_default());
            }
            "skipped" => {
                suites.last_mut().and_then(|s| s.cases.last_mut()).expect("skipped outside a testcase").skipped = true;
            }
            _ => {}
        }
    }
    for (suite, (tests, failures)) in suites.iter().zip(declared) {
        assert_eq!(suite.cases.len(), tests, "suite {} declares {tests} tests", suite.name);
        assert_eq!(
            suite.cases.iter().filter(|c| c.failure.is_some()).count(),
            failures,
            "suite {} declares {failures} failures",
            suite.name
        );
    }
    suites
}
