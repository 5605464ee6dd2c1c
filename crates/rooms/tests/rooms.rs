//! Rooms end to end through the library: people's moves, agents' replies,
//! the event log, replay after reopening, tokens, limits and views.

use detente_rooms::*;
use serde_json::{Value, json};

fn spec(scenario: &str, protocol: &str, seats: &[(&str, &str)]) -> RoomSpec {
    RoomSpec {
        scenario: scenario.into(),
        protocol: protocol.into(),
        rounds: Some(10),
        minutes: None,
        seats: seats
            .iter()
            .map(|(p, w)| SeatSpec {
                party: p.to_string(),
                player: w.to_string(),
            })
            .collect(),
        seed: 3,
    }
}

fn text(name: &str) -> &'static str {
    detente_formats::builtin::text(name).unwrap()
}

fn open(dir: &tempfile::TempDir) -> Rooms {
    Rooms::open(&dir.path().join("rooms.db"), Limits::default()).unwrap()
}

fn offer(view: &Value, pick: impl Fn(usize, usize) -> usize) -> Action {
    let mut outcome = serde_json::Map::new();
    for (k, issue) in view["issues"].as_array().unwrap().iter().enumerate() {
        let values = issue["values"].as_array().unwrap();
        outcome.insert(
            issue["name"].as_str().unwrap().into(),
            values[pick(k, values.len())].clone(),
        );
    }
    Action::Offer { outcome }
}

#[test]
fn two_people_reach_agreement_and_the_better_deal_is_voted_on() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    let c = rooms
        .create(
            &spec(
                "car-sale",
                "alternating",
                &[("buyer", "human"), ("dealer", "human")],
            ),
            text("car-sale"),
            1,
            0,
        )
        .unwrap();
    let id = &c.rooms[0].room;
    assert_eq!(c.rooms[0].seats.len(), 2);
    let v = rooms.seat_view(id, "buyer", 1).unwrap();
    assert_eq!(v["turn"]["yours"], true);
    assert_eq!(v["turn"]["asked"], "act");
    // Not the dealer's turn; no offer to accept yet; reject is a counter-offer.
    assert!(matches!(
        rooms.act(id, "dealer", &Action::End, 2),
        Err(RoomError::Illegal(_))
    ));
    assert!(matches!(
        rooms.act(id, "buyer", &Action::Accept, 2),
        Err(RoomError::Illegal(_))
    ));
    assert!(matches!(
        rooms.act(id, "buyer", &Action::Reject, 2),
        Err(RoomError::Illegal(_))
    ));
    // The poorest deal both can accept, accepted.
    let scenario = detente_formats::native::read_str(text("car-sale"), "car-sale").unwrap();
    let space = scenario.space();
    let poorest = (0..space.count_u64().unwrap())
        .map(|i| space.decode(i))
        .filter(|o| scenario.acceptable_to_all(o) && o[..] != scenario.proposals()[0].outcome[..])
        .min_by(|a, b| {
            let w = |o: &[u32]| {
                scenario
                    .bargainers()
                    .iter()
                    .map(|&p| scenario.utility_of(p, o))
                    .sum::<f64>()
            };
            w(a).total_cmp(&w(b))
        })
        .unwrap();
    rooms
        .act(id, "buyer", &offer(&v, |k, _| poorest[k] as usize), 3)
        .unwrap();
    let d = rooms.seat_view(id, "dealer", 4).unwrap();
    assert_eq!(d["turn"]["standing"]["by"], "buyer");
    rooms.act(id, "dealer", &Action::Accept, 5).unwrap();
    let b = rooms.seat_view(id, "buyer", 6).unwrap();
    // Either a better deal is proposed, or the room is over.
    if b["status"] == "settling" {
        assert_eq!(b["turn"]["asked"], "settle");
        let proposed = b["turn"]["utility"].as_f64().unwrap();
        assert!(proposed > b["history"][0]["utility"].as_f64().unwrap());
        rooms.act(id, "buyer", &Action::Accept, 7).unwrap();
        assert!(matches!(
            rooms.act(id, "buyer", &Action::Accept, 8),
            Err(RoomError::Illegal(_))
        ));
        rooms
            .act(
                id,
                "dealer",
                &Action::Vote {
                    accept: true,
                    reason: "fine".into(),
                },
                9,
            )
            .unwrap();
        let b = rooms.seat_view(id, "buyer", 10).unwrap();
        assert_eq!(b["status"], "over");
        assert_eq!(b["result"]["settled"], true);
        assert_eq!(b["result"]["utility"].as_f64().unwrap(), proposed);
    } else {
        assert_eq!(b["status"], "over", "{b:#}");
    }
    assert!(matches!(
        rooms.act(id, "buyer", &Action::End, 11),
        Err(RoomError::Illegal(_))
    ));
    let t = rooms.transcript(id, 12).unwrap();
    assert_eq!(t["session"]["end_reason"], "agreement");
}

#[test]
fn a_person_against_boulware_to_the_deadline_replays_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let id;
    let before;
    {
        let rooms = open(&dir);
        let c = rooms
            .create(
                &spec(
                    "car-sale",
                    "alternating",
                    &[("buyer", "human"), ("dealer", "boulware")],
                ),
                text("car-sale"),
                1,
                0,
            )
            .unwrap();
        id = c.rooms[0].room.clone();
        let mut now = 0;
        // The buyer insists on its best outcome for its own sake.
        loop {
            now += 1000;
            let v = rooms.seat_view(&id, "buyer", now).unwrap();
            if v["status"] != "running" {
                break;
            }
            let utilities = v["you"]["utilities"].as_array().unwrap();
            let best = (0..utilities.len())
                .max_by(|&a, &b| {
                    utilities[a]
                        .as_f64()
                        .unwrap()
                        .total_cmp(&utilities[b].as_f64().unwrap())
                })
                .unwrap();
            // Decode the mixed-radix index, first issue most significant.
            let sizes: Vec<usize> = v["issues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["values"].as_array().unwrap().len())
                .collect();
            let mut digits = vec![0; sizes.len()];
            let mut rest = best;
            for k in (0..sizes.len()).rev() {
                digits[k] = rest % sizes[k];
                rest /= sizes[k];
            }
            rooms
                .act(&id, "buyer", &offer(&v, |k, _| digits[k]), now)
                .unwrap();
        }
        before = rooms.facilitator_view(&id, now).unwrap();
        assert_eq!(before["status"], "over");
        assert_eq!(before["result"]["end_reason"], "deadline");
        assert_eq!(before["actions"], 20);
        // The seat's view never holds the dealer's utilities.
        let v = rooms.seat_view(&id, "buyer", now).unwrap();
        for h in v["history"].as_array().unwrap() {
            assert!(h.get("utilities").is_none());
        }
        assert!(v["result"].get("utilities").is_none());
        assert_eq!(v["players"][1]["player"], "agent");
        // A second server cannot open the same database.
        assert!(matches!(
            Rooms::open(&dir.path().join("rooms.db"), Limits::default()),
            Err(RoomError::Locked)
        ));
    }
    let rooms = open(&dir);
    let after = rooms.facilitator_view(&id, 10_000_000).unwrap();
    assert_eq!(after["result"], before["result"]);
    assert_eq!(after["actions"], before["actions"]);
    assert_eq!(rooms.events(&id).unwrap().as_array().unwrap().len(), 10);
}

#[test]
fn three_people_under_the_mediator_agree_by_voting_yes() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    let seats = [
        ("upstream", "human"),
        ("midstream", "human"),
        ("downstream", "human"),
    ];
    let c = rooms
        .create(
            &spec("water-sharing", "mediated", &seats),
            text("water-sharing"),
            1,
            0,
        )
        .unwrap();
    let id = &c.rooms[0].room;
    let mut now = 0;
    loop {
        now += 1000;
        let f = rooms.facilitator_view(id, now).unwrap();
        let Some(who) = f["waiting_for"].as_str().map(String::from) else {
            let any = rooms.seat_view(id, "upstream", now).unwrap();
            if any["status"] == "settling" {
                for (p, _) in seats {
                    rooms.act(id, p, &Action::Accept, now).unwrap();
                }
                continue;
            }
            break;
        };
        let v = rooms.seat_view(id, &who, now).unwrap();
        assert!(v["turn"]["asked"] == "vote" || v["turn"]["asked"] == "final-vote");
        assert!(matches!(
            rooms.act(id, &who, &Action::End, now),
            Err(RoomError::Illegal(_))
        ));
        // Each votes for what it likes at least as much as the text.
        let t = &v["turn"];
        let accept = t["asked"] == "final-vote"
            || t["proposal"]["utility"].as_f64() >= t["text"]["utility"].as_f64();
        let reason = format!("{who} {}", if accept { "agrees" } else { "objects" });
        rooms
            .act(id, &who, &Action::Vote { accept, reason }, now)
            .unwrap();
    }
    let f = rooms.facilitator_view(id, now).unwrap();
    assert_eq!(f["result"]["end_reason"], "agreement");
    // Reasons are in the facilitator's log, never in a seat's view.
    let events = rooms.events(id).unwrap().to_string();
    assert!(events.contains("upstream agrees"));
    let v = rooms.seat_view(id, "midstream", now).unwrap().to_string();
    assert!(!v.contains("agrees") && !v.contains("objects"));
}

#[test]
fn tokens_name_their_seat_only() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    let s = spec(
        "car-sale",
        "alternating",
        &[("buyer", "human"), ("dealer", "human")],
    );
    let a = rooms.create(&s, text("car-sale"), 2, 0).unwrap();
    let (r0, r1) = (&a.rooms[0], &a.rooms[1]);
    assert_eq!(
        rooms.authorize(&r0.room, Some(&r0.seats[0].token)).unwrap(),
        Who::Seat("buyer".into())
    );
    assert_eq!(
        rooms.authorize(&r0.room, Some(&r0.seats[1].token)).unwrap(),
        Who::Seat("dealer".into())
    );
    assert_eq!(
        rooms
            .authorize(&r1.room, Some(&a.facilitator_token))
            .unwrap(),
        Who::Facilitator
    );
    // Another room's seat token, a truncated token, no token.
    assert!(matches!(
        rooms.authorize(&r0.room, Some(&r1.seats[0].token)),
        Err(RoomError::Unauthorized)
    ));
    assert!(matches!(
        rooms.authorize(&r0.room, Some(&r0.seats[0].token[1..])),
        Err(RoomError::Unauthorized)
    ));
    assert!(matches!(
        rooms.authorize(&r0.room, None),
        Err(RoomError::Unauthorized)
    ));
    assert!(matches!(
        rooms.authorize("nope", Some("x")),
        Err(RoomError::NotFound(_))
    ));
    assert!(
        rooms
            .authorize_batch(&a.batch, Some(&a.facilitator_token))
            .is_ok()
    );
    assert!(
        rooms
            .authorize_batch(&a.batch, Some(&r0.seats[0].token))
            .is_err()
    );
    // Tokens are stored only as digests.
    drop(rooms);
    let bytes = std::fs::read(dir.path().join("rooms.db")).unwrap();
    let wal = std::fs::read(dir.path().join("rooms.db-wal")).unwrap_or_default();
    for t in [&r0.seats[0].token, &a.facilitator_token] {
        let needle = t.as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        assert!(!wal.windows(needle.len()).any(|w| w == needle));
    }
}

#[test]
fn wall_clock_deadlines_limits_and_a_batch_csv() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = Rooms::open(
        &dir.path().join("rooms.db"),
        Limits {
            max_rooms: 3,
            max_batch: 3,
            actions_per_second: 2,
            ..Limits::default()
        },
    )
    .unwrap();
    let mut s = spec(
        "car-sale",
        "alternating",
        &[("buyer", "human"), ("dealer", "human")],
    );
    s.minutes = Some(1.0);
    let c = rooms.create(&s, text("car-sale"), 3, 0).unwrap();
    assert!(matches!(
        rooms.create(&s, text("car-sale"), 1, 0),
        Err(RoomError::TooMany(_))
    ));
    assert!(matches!(
        rooms.create(&s, text("car-sale"), 4, 0),
        Err(RoomError::BadRequest(_))
    ));
    let id = &c.rooms[0].room;
    let v = rooms.seat_view(id, "buyer", 30_000).unwrap();
    assert_eq!(v["time"]["seconds_left"], 30.0);
    // Rate: two actions a second per seat.
    assert!(matches!(
        rooms.act(id, "dealer", &Action::End, 100),
        Err(RoomError::Illegal(_))
    ));
    assert!(matches!(
        rooms.act(id, "dealer", &Action::End, 200),
        Err(RoomError::Illegal(_))
    ));
    assert!(matches!(
        rooms.act(id, "dealer", &Action::End, 300),
        Err(RoomError::TooMany(_))
    ));
    let v = rooms.seat_view(id, "buyer", 60_000).unwrap();
    assert_eq!(v["status"], "over");
    assert_eq!(v["result"]["end_reason"], "deadline");
    rooms
        .act(&c.rooms[1].room, "buyer", &Action::End, 10)
        .unwrap();
    let csv = rooms.results_csv(&c.batch, 20).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("room,status,end_reason"));
    assert!(lines.iter().any(|l| l.contains(",over,walkaway,")));
    assert!(lines.iter().any(|l| l.contains(",running,")));
}

#[test]
fn bad_set_ups_are_refused_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    let bad = |s: RoomSpec| match rooms.create(&s, text(&s.scenario.clone()), 1, 0) {
        Err(RoomError::BadRequest(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(bad(spec("car-sale", "alternating", &[("buyer", "human")])).contains("dealer"));
    assert!(
        bad(spec(
            "car-sale",
            "alternating",
            &[("buyer", "human"), ("dealer", "nosuch")]
        ))
        .contains("nosuch")
    );
    assert!(
        bad(spec(
            "car-sale",
            "auction",
            &[("buyer", "human"), ("dealer", "human")]
        ))
        .contains("auction")
    );
    assert!(
        bad(spec(
            "car-sale",
            "alternating",
            &[("buyer", "human"), ("seller", "human")]
        ))
        .contains("seller")
    );
    let mut s = spec(
        "car-sale",
        "alternating",
        &[("buyer", "human"), ("dealer", "human")],
    );
    s.rounds = None;
    assert!(bad(s).contains("deadline"));
    let _ = json!(null);
}

/// A small deterministic generator (no test depends on a global RNG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[test]
fn random_moves_are_taken_or_refused_and_a_reopened_database_gives_the_same_rooms() {
    let dir = tempfile::tempdir().unwrap();
    let set_ups = [
        (
            "car-sale",
            "alternating",
            vec![("buyer", "human"), ("dealer", "human")],
        ),
        (
            "car-sale",
            "alternating",
            vec![("buyer", "conceder"), ("dealer", "human")],
        ),
        (
            "water-sharing",
            "mediated",
            vec![
                ("upstream", "human"),
                ("midstream", "boulware"),
                ("downstream", "human"),
            ],
        ),
        (
            "water-sharing",
            "stacked",
            vec![
                ("upstream", "human"),
                ("midstream", "human"),
                ("downstream", "linear"),
            ],
        ),
        (
            "water-sharing",
            "mediated-hill-climbing",
            vec![
                ("upstream", "human"),
                ("midstream", "conceder"),
                ("downstream", "human"),
                ("commission", "human"),
            ],
        ),
    ];
    let mut views = Vec::new();
    {
        let rooms = Rooms::open(
            &dir.path().join("rooms.db"),
            Limits {
                actions_per_second: 1000,
                ..Limits::default()
            },
        )
        .unwrap();
        let mut rng = Lcg(7);
        let mut now = 0;
        for (scenario, protocol, seats) in &set_ups {
            let c = rooms
                .create(&spec(scenario, protocol, seats), text(scenario), 1, now)
                .unwrap();
            let id = c.rooms[0].room.clone();
            let people: Vec<&str> = seats
                .iter()
                .filter(|(_, w)| *w == "human")
                .map(|(p, _)| *p)
                .collect();
            for _ in 0..200 {
                now += 1;
                let who = people[rng.below(people.len())];
                let v = rooms.seat_view(&id, who, now).unwrap();
                let action = match rng.below(66) {
                    60..=63 => {
                        let k = rng.below(1000);
                        let Action::Offer { outcome } = offer(&v, |i, n| (k + 3 * i) % n) else {
                            unreachable!()
                        };
                        Action::Propose { outcome }
                    }
                    64 | 65 => Action::Close,
                    0 => Action::End,
                    1..=9 => Action::Accept,
                    10..=14 => Action::Reject,
                    15..=29 => Action::Vote {
                        accept: rng.below(3) > 0,
                        reason: "why".into(),
                    },
                    _ => {
                        let k = rng.below(1000);
                        offer(&v, |i, n| (k + 7 * i) % n)
                    }
                };
                match rooms.act(&id, who, &action, now) {
                    Ok(()) | Err(RoomError::Illegal(_)) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            let mut all = vec![
                rooms.facilitator_view(&id, now).unwrap(),
                rooms.events(&id).unwrap(),
            ];
            for p in &people {
                all.push(rooms.seat_view(&id, p, now).unwrap());
            }
            // The moves went somewhere: several were taken.
            assert!(
                all[1].as_array().unwrap().len() >= 3,
                "{scenario}: {}",
                all[1]
            );
            views.push((id, people, now, all));
        }
    }
    let rooms = open(&dir);
    for (id, people, now, before) in views {
        let mut after = vec![
            rooms.facilitator_view(&id, now).unwrap(),
            rooms.events(&id).unwrap(),
        ];
        for p in &people {
            after.push(rooms.seat_view(&id, p, now).unwrap());
        }
        assert_eq!(after, before, "room {id}");
    }
}

#[test]
fn a_room_of_agents_is_the_session_detente_negotiate_runs() {
    use detente_negotiation::{Deadline, ProtocolKind, SessionConfig, run_session};
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    for (scenario, protocol, seats) in [
        (
            "car-sale",
            "alternating",
            vec![("buyer", "conceder"), ("dealer", "boulware")],
        ),
        (
            "water-sharing",
            "mediated",
            vec![
                ("upstream", "linear"),
                ("midstream", "boulware"),
                ("downstream", "conceder"),
            ],
        ),
    ] {
        let c = rooms
            .create(&spec(scenario, protocol, &seats), text(scenario), 1, 0)
            .unwrap();
        assert!(c.rooms[0].seats.is_empty());
        let t = rooms.transcript(&c.rooms[0].room, 0).unwrap();
        let s = detente_formats::native::read_str(text(scenario), scenario).unwrap();
        let config = SessionConfig {
            record_trace: true,
            step_budget: std::time::Duration::ZERO,
            ..SessionConfig::new(
                protocol.parse::<ProtocolKind>().unwrap(),
                Deadline::Rounds(10),
                3,
            )
        };
        let specs: Vec<_> = seats.iter().map(|(_, w)| w.parse().unwrap()).collect();
        let r = run_session(&s, None, &config, &specs).unwrap();
        let labels: Vec<String> = seats.iter().map(|(_, w)| w.to_string()).collect();
        let expected = detente_results::negotiation(&s, config.protocol, &labels, 3, &r);
        assert_eq!(
            t["session"],
            serde_json::to_value(&expected).unwrap(),
            "{scenario}"
        );
        assert_eq!(
            t["trace"],
            serde_json::to_value(detente_results::trace(&s, &r.trace)).unwrap()
        );
    }
}

#[test]
fn a_person_seated_second_sees_the_agents_first_offer_before_acting() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    let c = rooms
        .create(
            &spec(
                "car-sale",
                "alternating",
                &[("buyer", "boulware"), ("dealer", "human")],
            ),
            text("car-sale"),
            1,
            0,
        )
        .unwrap();
    let v = rooms.seat_view(&c.rooms[0].room, "dealer", 1).unwrap();
    assert_eq!(v["history"].as_array().unwrap().len(), 1);
    assert_eq!(v["history"][0]["actor"], "buyer");
    assert_eq!(v["turn"]["yours"], true);
    assert_eq!(v["turn"]["standing"]["by"], "buyer");
}

/// A mediated room chaired by a person: the chair drafts each revision of
/// the single text (several issues at once), sees the votes but no one's
/// reasons or utilities, and closes the talks, which calls the final vote.
#[test]
fn a_person_chairs_a_mediated_room_to_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    let seats = [
        ("upstream", "human"),
        ("midstream", "boulware"),
        ("downstream", "human"),
        ("commission", "human"),
    ];
    let c = rooms
        .create(
            &spec("water-sharing", "mediated", &seats),
            text("water-sharing"),
            1,
            0,
        )
        .unwrap();
    let room = &c.rooms[0];
    let names: Vec<&str> = room.seats.iter().map(|s| s.party.as_str()).collect();
    assert_eq!(names, ["upstream", "downstream", "commission"]);
    let id = &room.room;
    let chair = rooms.seat_view(id, "commission", 1).unwrap();
    assert_eq!(chair["role"], "mediator");
    assert_eq!(chair["turn"]["asked"], "propose");
    assert_eq!(chair["turn"]["yours"], true);
    assert_eq!(
        chair["mediator"],
        json!({"seat": "commission", "player": "human"})
    );
    // The commission has preferences of its own in this scenario.
    assert!(chair["you"]["utilities"].is_array());
    let party = rooms.seat_view(id, "upstream", 1).unwrap();
    assert_eq!(party["role"], "party");
    assert_eq!(party["turn"]["asked"], "propose");
    assert_eq!(party["turn"]["yours"], false);
    // Parties cannot draft; the chair cannot offer, vote or table the text
    // as it stands.
    let text_now = chair["turn"]["text"]["outcome"]
        .as_object()
        .unwrap()
        .clone();
    for (who, action) in [
        (
            "upstream",
            Action::Propose {
                outcome: text_now.clone(),
            },
        ),
        (
            "commission",
            Action::Offer {
                outcome: text_now.clone(),
            },
        ),
        (
            "commission",
            Action::Vote {
                accept: true,
                reason: String::new(),
            },
        ),
        (
            "commission",
            Action::Propose {
                outcome: text_now.clone(),
            },
        ),
    ] {
        assert!(
            matches!(rooms.act(id, who, &action, 2), Err(RoomError::Illegal(_))),
            "{who} {action:?}"
        );
    }
    // Revise the commission's draft (several issues at once, as it
    // happens): the text of most welfare that all parties can accept,
    // other than the draft itself.
    let scenario = detente_formats::native::read_str(text("water-sharing"), "w").unwrap();
    let space = scenario.space();
    let best = (0..space.count_u64().unwrap())
        .map(|i| space.decode(i))
        .filter(|o| scenario.acceptable_to_all(o) && o[..] != scenario.proposals()[0].outcome[..])
        .max_by(|a, b| {
            let w = |o: &[u32]| {
                scenario
                    .bargainers()
                    .iter()
                    .map(|&p| scenario.utility_of(p, o))
                    .sum::<f64>()
            };
            w(a).total_cmp(&w(b))
        })
        .unwrap();
    let proposal: serde_json::Map<String, Value> = scenario
        .issues()
        .iter()
        .zip(&best)
        .map(|(i, &v)| (i.name.clone(), Value::from(i.value_label(v))))
        .collect();
    rooms
        .act(
            id,
            "commission",
            &Action::Propose {
                outcome: proposal.clone(),
            },
            3,
        )
        .unwrap();
    // The people vote (boulware votes as the agent it is).
    let mut now = 4;
    while let Some(who) = rooms.facilitator_view(id, now).unwrap()["waiting_for"]
        .as_str()
        .map(String::from)
    {
        now += 1;
        if who == "commission" {
            let v = rooms.seat_view(id, "commission", now).unwrap();
            // Every vote so far is in the chair's history, without reasons.
            assert!(
                v["history"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["action"] == "vote-yes")
            );
            assert!(!v.to_string().contains("fine by"));
            rooms.act(id, "commission", &Action::Close, now).unwrap();
            continue;
        }
        let reason = format!("fine by {who}");
        rooms
            .act(
                id,
                &who,
                &Action::Vote {
                    accept: true,
                    reason,
                },
                now,
            )
            .unwrap();
    }
    let f = rooms.facilitator_view(id, now).unwrap();
    assert_eq!(f["result"]["end_reason"], "agreement", "{f}");
    assert_eq!(f["result"]["agreement"], Value::Object(proposal));
    assert_eq!(f["result"]["rounds"], 1);
    // A reopened database gives the same room.
    let before = rooms.transcript(id, now).unwrap();
    drop(rooms);
    let rooms = open(&dir);
    assert_eq!(rooms.transcript(id, now).unwrap(), before);
    assert!(before["events"].to_string().contains("\"type\":\"close\""));
    // The batch's CSV says who chaired.
    let csv = rooms.results_csv(&c.batch, now).unwrap();
    let (header, row) = csv.split_once('\n').unwrap();
    let col = header
        .split(',')
        .position(|h| h == "mediator:commission")
        .unwrap();
    assert_eq!(row.split(',').nth(col), Some("human"));
}

#[test]
fn only_a_mediated_room_has_a_mediators_seat_and_it_is_human_or_detente() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    let refused = |protocol: &str, seats: &[(&str, &str)], needle: &str| match rooms.create(
        &spec("water-sharing", protocol, seats),
        text("water-sharing"),
        1,
        0,
    ) {
        Err(RoomError::BadRequest(m)) => assert!(m.contains(needle), "{m}"),
        other => panic!("{other:?}"),
    };
    let people = [
        ("upstream", "human"),
        ("midstream", "human"),
        ("downstream", "human"),
    ];
    let with = |m: (&'static str, &'static str)| {
        let mut v = people.to_vec();
        v.push(m);
        v
    };
    refused(
        "stacked",
        &with(("commission", "human")),
        "only a mediated room",
    );
    refused(
        "mediated",
        &with(("commission", "boulware")),
        "`human` or `detente`",
    );
    let mut two = with(("commission", "human"));
    two.push(("mediator", "human"));
    refused("mediated", &two, "more than one seat");
    // `mediator` names the chair of a scenario whose mediator has a name;
    // `detente` leaves it to detente's mediator (no token).
    let c = rooms
        .create(
            &spec("water-sharing", "mediated", &with(("mediator", "human"))),
            text("water-sharing"),
            1,
            0,
        )
        .unwrap();
    assert_eq!(c.rooms[0].seats.last().unwrap().party, "commission");
    let c = rooms
        .create(
            &spec(
                "water-sharing",
                "mediated",
                &with(("commission", "detente")),
            ),
            text("water-sharing"),
            1,
            0,
        )
        .unwrap();
    assert_eq!(c.rooms[0].seats.len(), 3);
    let v = rooms.seat_view(&c.rooms[0].room, "upstream", 1).unwrap();
    assert_eq!(
        v["mediator"],
        json!({"seat": "commission", "player": "detente"})
    );
}

/// In a room with minutes, agents pace themselves by the wall clock: the
/// same offers made later in the hour meet a more conceding Boulware.
#[test]
fn agents_pace_themselves_by_the_wall_clock() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    let mut set_up = spec(
        "car-sale",
        "alternating",
        &[("buyer", "human"), ("dealer", "boulware")],
    );
    set_up.rounds = None;
    set_up.minutes = Some(60.0);
    let dealer_utility = |late: bool| {
        let c = rooms.create(&set_up, text("car-sale"), 1, 0).unwrap();
        let id = &c.rooms[0].room;
        let v = rooms.seat_view(id, "buyer", 0).unwrap();
        let at = if late { 55 * 60_000 } else { 60_000 };
        rooms.act(id, "buyer", &offer(&v, |_, _| 0), at).unwrap();
        let f = rooms.facilitator_view(id, at).unwrap();
        assert_eq!(
            f["time"]["rounds"],
            Value::Null,
            "rounds are only a cap here"
        );
        assert!(f["time"]["seconds_left"].as_f64().unwrap() > 0.0);
        let t = rooms.transcript(id, at);
        assert!(t.is_err(), "still running");
        let v = rooms.seat_view(id, "buyer", at).unwrap();
        let last = v["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["actor"], "dealer");
        last["utility"].as_f64().unwrap()
    };
    // The buyer's utility of the dealer's counter-offer: higher when the
    // dealer has conceded more.
    let early = dealer_utility(false);
    let late = dealer_utility(true);
    assert!(late > early + 0.05, "early {early}, late {late}");
}

#[test]
fn a_database_of_an_earlier_schema_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rooms.db");
    drop(open(&dir));
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    drop(conn);
    match Rooms::open(&path, Limits::default()) {
        Err(e) => {
            let m = e.to_string();
            assert!(
                m.contains("schema version 1") && m.contains("new file"),
                "{m}"
            );
        }
        Ok(_) => panic!("a version-1 database was opened"),
    }
}

/// An update from any history entry is the whole view's history from
/// there, with the same turn, time and result, and without the parts that
/// never change.
#[test]
fn a_seat_update_is_the_whole_view_from_where_the_reader_is() {
    let dir = tempfile::tempdir().unwrap();
    let rooms = open(&dir);
    let c = rooms
        .create(
            &spec(
                "car-sale",
                "alternating",
                &[("buyer", "human"), ("dealer", "boulware")],
            ),
            text("car-sale"),
            1,
            0,
        )
        .unwrap();
    let id = &c.rooms[0].room;
    let v = rooms.seat_view(id, "buyer", 1).unwrap();
    for k in 0..4 {
        rooms
            .act(id, "buyer", &offer(&v, |i, n| (k + i) % n), 10 + k as u64)
            .unwrap();
    }
    let whole = rooms.seat_view(id, "buyer", 20).unwrap();
    let history = whole["history"].as_array().unwrap();
    assert_eq!(whole["history_from"], 0);
    for since in [0, 1, 5, history.len(), history.len() + 3] {
        let u = rooms.seat_update(id, "buyer", 20, Some(since)).unwrap();
        let from = since.min(history.len());
        assert_eq!(u["history_from"], from);
        assert_eq!(u["history"].as_array().unwrap()[..], history[from..]);
        for key in [
            "turn", "time", "status", "version", "result", "party", "role",
        ] {
            assert_eq!(u[key], whole[key], "{key}");
        }
        for key in ["issues", "players", "mediator", "you"] {
            assert!(u.get(key).is_none(), "{key}");
        }
    }
}

/// What rooms hold in memory is set by their scenarios: new rooms beyond
/// the limit are refused before their scenario is built, saying what to
/// do; a batch's rooms share theirs, and a refused batch holds nothing.
#[test]
fn hostile_input_rooms_beyond_the_memory_limit_are_refused_first() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = detente_formats::native::read_str(text("car-sale"), "c").unwrap();
    let per_set_up = scenario.space().count_u64().unwrap() * scenario.parties().len() as u64;
    let rooms = Rooms::open(
        &dir.path().join("rooms.db"),
        Limits {
            max_cells: per_set_up * 2,
            ..Limits::default()
        },
    )
    .unwrap();
    let set_up = spec(
        "car-sale",
        "alternating",
        &[("buyer", "human"), ("dealer", "human")],
    );
    // Fifty rooms made together share one set-up.
    rooms.create(&set_up, text("car-sale"), 50, 0).unwrap();
    rooms.create(&set_up, text("car-sale"), 1, 0).unwrap();
    match rooms.create(&set_up, text("car-sale"), 1, 0) {
        Err(RoomError::TooMany(m)) => assert!(m.contains("--max-room-cells"), "{m}"),
        other => panic!("{other:?}"),
    }
    // A refused batch (here for a bad seat) gives back what it reserved.
    let bad = spec("car-sale", "alternating", &[("buyer", "nobody")]);
    let loose = Rooms::open(
        &dir.path().join("loose.db"),
        Limits {
            max_cells: per_set_up,
            ..Limits::default()
        },
    )
    .unwrap();
    assert!(matches!(
        loose.create(&bad, text("car-sale"), 1, 0),
        Err(RoomError::BadRequest(_))
    ));
    loose.create(&set_up, text("car-sale"), 1, 0).unwrap();
    // Reopened, the stored rooms count against the limit.
    drop(rooms);
    let rooms = Rooms::open(
        &dir.path().join("rooms.db"),
        Limits {
            max_cells: per_set_up * 2,
            ..Limits::default()
        },
    )
    .unwrap();
    assert!(matches!(
        rooms.create(&set_up, text("car-sale"), 1, 0),
        Err(RoomError::TooMany(_))
    ));
}
