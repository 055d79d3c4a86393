//! The demo's plan: Barletta-Andria-Trani's three-year local plan (PIL, seed 003), co-funded
//! by the Region and resting on the protocol agreed with the social districts and the ASL,
//! with its seven lines of action, their targets, and progress reported at two dates.
//! Amounts and targets are invented and plausible.

use aggregates::plan::*;

use super::*;

/// The BAT network, its coordinator, its members and the protocol the plan rests on.
pub(super) struct Bat {
    pub network: NetworkId,
    pub coordinator: OrganizationId,
    pub asl: OrganizationId,
    pub ambiti: OrganizationId,
    pub protocol: ProtocolId,
}

fn target(description: &str, unit: &str, value: u64) -> Target {
    Target {
        description: name(description),
        unit: name(unit),
        value,
    }
}

/// Adopts, approves and reports on the BAT plan.
pub(super) async fn bat(d: &mut Demo, b: &Bat) -> anyhow::Result<()> {
    d.group += 1;
    let id = PlanId::derived(&format!("demo/plan/{}/pil-2015", b.network));
    let line = |number: u16,
                title: &str,
                responsible: &[OrganizationId],
                targets: Vec<Target>,
                budget: u64| PlanLine {
        number,
        title: name(title),
        responsible: responsible.iter().copied().collect(),
        targets,
        budget_cents: Some(budget * 100),
        due_on: None,
    };
    let content = PlanContent {
        title: name("Piano Integrato Locale (PIL) 2015-2018 della BAT"),
        period: DateRange::new(day(2015, 6, 1), Some(day(2018, 5, 31)))?,
        funding: vec![
            Funding {
                source: name("Regione Puglia"),
                amount_cents: 420_000 * 100,
            },
            Funding {
                source: name("Provincia di Barletta-Andria-Trani"),
                amount_cents: 60_000 * 100,
            },
        ],
        protocols: [b.protocol].into(),
        lines: vec![
            line(
                1,
                "Mappatura dei servizi e degli interventi esistenti",
                &[b.coordinator, b.ambiti],
                vec![target("Servizi mappati", "servizi", 40)],
                15_000,
            ),
            line(
                2,
                "Individuazione dei servizi e degli interventi programmati",
                &[b.ambiti],
                vec![target("Interventi programmati censiti", "interventi", 25)],
                10_000,
            ),
            line(
                3,
                "Individuazione degli interventi infrastrutturali necessari",
                &[b.coordinator],
                vec![
                    target("Centri antiviolenza provinciali costituiti", "centri", 2),
                    target("Case rifugio attivate", "case", 1),
                ],
                250_000,
            ),
            line(
                4,
                "Gestione a regia provinciale della rete dei servizi sovra ambito",
                &[b.coordinator],
                vec![target("Riunioni di regia", "riunioni", 12)],
                20_000,
            ),
            line(
                5,
                "Potenziamento delle équipes multidisciplinari",
                &[b.asl, b.ambiti],
                vec![target("Équipes multidisciplinari attive", "équipes", 10)],
                90_000,
            ),
            line(
                6,
                "Percorsi formativi delle équipes multidisciplinari",
                &[b.asl],
                vec![target("Operatori formati", "operatori", 120)],
                45_000,
            ),
            line(
                7,
                "Promozione e comunicazione dei servizi",
                &[b.coordinator, b.asl],
                vec![target("Campagne realizzate", "campagne", 3)],
                50_000,
            ),
        ],
    };
    let c = Some(b.coordinator);
    d.run::<Plan>(
        id,
        c,
        recorded(day(2015, 6, 10)),
        PlanCommand::Adopt {
            id,
            network: b.network,
            by: b.coordinator,
            content,
            adopted_on: day(2015, 6, 10),
        },
    )
    .await?;
    d.run::<Plan>(
        id,
        c,
        recorded(day(2015, 6, 30)),
        PlanCommand::Approve {
            by: b.coordinator,
            approved_on: day(2015, 6, 30),
        },
    )
    .await?;
    // (line, target, reached, by, on, evidence)
    let reports: [(u16, u16, u64, OrganizationId, NaiveDate, &str); 10] = [
        (
            1,
            1,
            28,
            b.ambiti,
            day(2016, 6, 15),
            "Prima ricognizione degli ambiti",
        ),
        (
            3,
            1,
            1,
            b.coordinator,
            day(2016, 6, 15),
            "Centro di Andria attivato",
        ),
        (
            5,
            1,
            4,
            b.asl,
            day(2016, 6, 15),
            "Delibera ASL di costituzione delle équipes",
        ),
        (
            6,
            1,
            45,
            b.asl,
            day(2016, 6, 15),
            "Registro dei corsi, primo anno",
        ),
        (
            4,
            1,
            5,
            b.coordinator,
            day(2016, 6, 15),
            "Verbali delle riunioni di regia",
        ),
        (1, 1, 41, b.ambiti, day(2017, 6, 15), "Mappatura completata"),
        (
            3,
            1,
            2,
            b.coordinator,
            day(2017, 6, 15),
            "Centro di Barletta attivato",
        ),
        (
            5,
            1,
            8,
            b.asl,
            day(2017, 6, 15),
            "Équipes attive in tutti i distretti tranne due",
        ),
        (
            6,
            1,
            96,
            b.asl,
            day(2017, 6, 15),
            "Registro dei corsi, secondo anno",
        ),
        (
            7,
            1,
            2,
            b.coordinator,
            day(2017, 6, 15),
            "Campagne del 25 novembre 2016 e dell'8 marzo 2017",
        ),
    ];
    for (line, target, reached, by, on, evidence) in reports {
        d.run::<Plan>(
            id,
            Some(by),
            recorded(on),
            PlanCommand::ReportProgress {
                by,
                line,
                target,
                reached,
                evidence: text(evidence),
                reported_on: on,
            },
        )
        .await?;
    }
    Ok(())
}
