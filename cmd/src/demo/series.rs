//! The demo's recurring meetings: Casalmaggiore's monthly district laboratory (seed 004), the
//! third Thursday of each month from September 2018 to June 2019 except December, with the
//! Carabinieri company and a secondary school invited (the school is not a member).

use aggregates::meeting_series::*;

use super::*;

/// Defines the laboratory's series, skips December, invites two organizations, who accept.
pub(super) async fn casalmaggiore(
    d: &mut Demo,
    network: NetworkId,
    coordinator: OrganizationId,
    invited: &[OrganizationId],
) -> anyhow::Result<()> {
    d.group += 1;
    let id = MeetingSeriesId::derived(&format!("demo/series/{network}/laboratorio-2018"));
    let c = Some(coordinator);
    let defined_on = day(2018, 7, 10);
    d.run::<MeetingSeries>(
        id,
        c,
        recorded(defined_on),
        MeetingSeriesCommand::Define {
            id,
            network,
            by: coordinator,
            details: SeriesDetails {
                working_group: None,
                kind: MeetingKind::DistrictLab,
                title: name("Laboratorio distrettuale antiviolenza"),
                rule: Recurrence::parse("FREQ=MONTHLY;BYDAY=3TH;COUNT=10")?,
                first_at: day(2018, 9, 20)
                    .and_hms_opt(14, 30, 0)
                    .ok_or_else(|| anyhow!("demo time"))?,
                duration_minutes: 120,
                venue: Venue::InPerson {
                    address: name("Biblioteca di Casalmaggiore"),
                },
                agenda: vec![
                    text("Aggiornamento sui casi in carico, in forma anonima e aggregata"),
                    text("Nuovi aderenti alla rete"),
                ],
                public: false,
            },
            defined_on,
        },
    )
    .await?;
    d.run::<MeetingSeries>(
        id,
        c,
        recorded(day(2018, 11, 30)),
        MeetingSeriesCommand::SkipOccurrence {
            by: coordinator,
            starts_on: day(2018, 12, 20),
            reason: text("Festività natalizie"),
        },
    )
    .await?;
    for organization in invited {
        d.run::<MeetingSeries>(
            id,
            c,
            recorded(day(2018, 7, 15)),
            MeetingSeriesCommand::Invite {
                by: coordinator,
                organization: *organization,
                invited_on: day(2018, 7, 15),
            },
        )
        .await?;
        d.run::<MeetingSeries>(
            id,
            Some(*organization),
            recorded(day(2018, 8, 31)),
            MeetingSeriesCommand::AnswerInvitation {
                by: *organization,
                organization: *organization,
                accepted: true,
                answered_on: day(2018, 8, 31),
            },
        )
        .await?;
    }
    Ok(())
}
