//! The demo's shared figures: a year of aggregate counts from the members of Stelle e Luci
//! (its seventh commitment: a shared system of data on the cases the network intercepts, in
//! aggregate form only), quarter by quarter, every quarter closed, so the published tables show
//! small cells suppressed. The counts are invented and plausible; none is a case.

use aggregates::indicator_set::*;

use super::*;

fn key(s: &str) -> Key {
    Key::parse(s).expect("valid demo key")
}

fn indicator(k: &str, title: &str, categories: &[(&str, &str)]) -> Indicator {
    Indicator {
        key: key(k),
        title: name(title),
        categories: categories
            .iter()
            .map(|(k, t)| Category {
                key: key(k),
                title: name(t),
            })
            .collect(),
    }
}

/// Defines Stelle e Luci's 2023 indicator set; each member (CAV, Comune, ASL) reports its four
/// quarters; the coordinator closes each quarter a fortnight after it ends.
pub(super) async fn stelle_e_luci(
    d: &mut Demo,
    network: NetworkId,
    coordinator: OrganizationId,
    members: &[OrganizationId; 3],
) -> anyhow::Result<()> {
    d.group += 1;
    let id = IndicatorSetId::derived(&format!("demo/figures/{network}/2023"));
    let span = DateRange::new(day(2023, 1, 1), Some(day(2023, 12, 31)))?;
    let defined_on = day(2022, 12, 15);
    d.run::<IndicatorSet>(
        id,
        Some(coordinator),
        recorded(defined_on),
        IndicatorSetCommand::Define {
            id,
            network,
            by: coordinator,
            title: name("Rilevazione condivisa dei dati aggregati 2023"),
            indicators: vec![
                indicator(
                    "requests_by_channel",
                    "Richieste di aiuto ricevute, per canale",
                    &[
                        ("phone", "Telefono e numero 1522"),
                        ("in_person", "Accesso diretto"),
                        ("referral", "Invio da altri servizi"),
                    ],
                ),
                indicator(
                    "women_taken_in_charge",
                    "Donne prese in carico",
                    &[
                        ("new", "Nuove prese in carico"),
                        ("ongoing", "Percorsi in corso"),
                    ],
                ),
                indicator(
                    "referrals",
                    "Invii tra i soggetti della rete",
                    &[
                        ("to_members", "Verso altri soggetti"),
                        ("from_members", "Da altri soggetti"),
                    ],
                ),
            ],
            span,
            frequency: Frequency::Quarterly,
            threshold: DEFAULT_THRESHOLD,
            defined_on,
        },
    )
    .await?;
    // Per member and quarter: requests (phone, in person, referral), women (new, ongoing),
    // referrals (to, from).
    let counts: [[[u32; 7]; 4]; 3] = [
        // The anti-violence centre.
        [
            [31, 12, 9, 14, 38, 6, 11],
            [27, 15, 7, 11, 41, 4, 13],
            [22, 9, 6, 10, 39, 5, 9],
            [35, 18, 12, 17, 44, 8, 15],
        ],
        // The municipality's social services.
        [
            [6, 9, 3, 2, 5, 12, 3],
            [4, 7, 5, 1, 6, 9, 2],
            [7, 5, 2, 3, 6, 11, 4],
            [9, 11, 4, 2, 7, 14, 6],
        ],
        // The health authority (emergency rooms, family counselling).
        [
            [8, 3, 1, 0, 2, 10, 1],
            [5, 4, 2, 1, 2, 8, 0],
            [11, 2, 0, 1, 3, 9, 2],
            [7, 6, 3, 0, 2, 13, 1],
        ],
    ];
    let cells = [
        ("requests_by_channel", "phone"),
        ("requests_by_channel", "in_person"),
        ("requests_by_channel", "referral"),
        ("women_taken_in_charge", "new"),
        ("women_taken_in_charge", "ongoing"),
        ("referrals", "to_members"),
        ("referrals", "from_members"),
    ];
    let quarters = periods(&span, Frequency::Quarterly).ok_or_else(|| anyhow!("demo span"))?;
    for (q, quarter) in quarters.iter().enumerate() {
        for (m, member) in members.iter().enumerate() {
            let submitted_on = quarter.to + chrono::Days::new(5 + m as u64);
            d.run::<IndicatorSet>(
                id,
                Some(*member),
                recorded(submitted_on),
                IndicatorSetCommand::Submit {
                    by: *member,
                    organization: *member,
                    period: quarter.key.clone(),
                    figures: cells
                        .iter()
                        .zip(counts[m][q])
                        .map(|((i, c), count)| Figure {
                            indicator: key(i),
                            category: key(c),
                            count,
                        })
                        .collect(),
                    submitted_on,
                },
            )
            .await?;
        }
        let closed_on = quarter.to + chrono::Days::new(15);
        d.run::<IndicatorSet>(
            id,
            Some(coordinator),
            recorded(closed_on),
            IndicatorSetCommand::ClosePeriod {
                by: coordinator,
                period: quarter.key.clone(),
                closed_on,
            },
        )
        .await?;
    }
    Ok(())
}
