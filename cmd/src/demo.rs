//! The demo dataset: five real networks described in the seed documents and public sources,
//! institutions only. No person's name or contact appears anywhere: referents are recorded by
//! fictitious person ids, as every referent is. Ids are derived from names (UUID v5), so
//! loading twice changes nothing.

use aggregates::ids::*;
use aggregates::meeting::*;
use aggregates::metadata::{Actor, EventMetadata};
use aggregates::network::*;
use aggregates::organization::*;
use aggregates::protocol::*;
use aggregates::values::*;
use aggregates::working_group::*;
use anyhow::{anyhow, Context};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use cqrs_es::Aggregate;
use projections::store::{CommandError, Store};

mod activities;
mod commands;
mod figures;
mod plans;
mod replay;
mod series;
mod services;
use replay::{recorded, Job, JobFn};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date")
}
fn name(s: &str) -> Name {
    Name::parse(s).expect("valid demo name")
}
fn text(s: &str) -> FreeText {
    FreeText::parse(s).expect("valid demo text")
}
fn hash(seed: &str) -> DocumentHash {
    let id = uuid::Uuid::new_v5(&DERIVED_ID_NAMESPACE, seed.as_bytes())
        .simple()
        .to_string();
    DocumentHash::parse(&format!("{id}{id}")).expect("valid demo hash")
}

struct Demo {
    jobs: Vec<Job>,
    /// Counts the helper calls (a membership, a protocol, a meeting, …).
    group: usize,
}

fn at(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid demo time")
}

/// Loads the demo dataset; answers how many events it wrote (0 when it was already there).
pub async fn load(store: &Store) -> anyhow::Result<usize> {
    use OrganizationCategory as C;
    let mut d = Demo {
        jobs: Vec::new(),
        group: 0,
    };

    // Torino: the "Tavolo Maltrattanti", coordinated since 2011 by the Provincia, since 2015
    // by the Città Metropolitana that succeeded it (seed 000).
    let provincia = d
        .organization("Provincia di Torino", C::Provincia, "Torino")
        .await?;
    let torino = d
        .network(
            "Tavolo Maltrattanti",
            NetworkKind::InterinstitutionalTable,
            "Area metropolitana di Torino",
            provincia,
            day(2011, 3, 1),
        )
        .await?;
    let cmto = d
        .organization(
            "Città Metropolitana di Torino",
            C::CittaMetropolitana,
            "Torino",
        )
        .await?;
    let comune = d
        .organization("Comune di Torino", C::Comune, "Torino")
        .await?;
    let cav = d
        .organization(
            "Centro antiviolenza aderente al Tavolo (demo)",
            C::CentroAntiviolenza,
            "Torino",
        )
        .await?;
    let gestore = d
        .organization(
            "Ente gestore dei servizi socio-assistenziali (demo)",
            C::EnteGestoreServiziSociali,
            "Torino",
        )
        .await?;
    let ordine = d
        .organization(
            "Ordine degli Psicologi del Piemonte",
            C::OrdineProfessionale,
            "Piemonte",
        )
        .await?;
    let parita = d
        .organization(
            "Consigliera di parità della Città Metropolitana di Torino",
            C::OrganismoDiParita,
            "Torino",
        )
        .await?;
    let uepe = d
        .organization(
            "Ufficio di Esecuzione Penale Esterna di Torino",
            C::Uepe,
            "Torino",
        )
        .await?;
    let garante = d
        .organization(
            "Garante dei diritti delle persone detenute di Torino",
            C::GaranteDetenuti,
            "Torino",
        )
        .await?;
    let unito = d
        .organization("Università degli Studi di Torino", C::Universita, "Torino")
        .await?;
    let cuav = d
        .organization(
            "Associazione per il cambiamento degli uomini autori di violenza (demo)",
            C::CentroUominiAutoriViolenza,
            "Torino",
        )
        .await?;
    for (org, approved) in [
        (comune, day(2011, 6, 1)),
        (cav, day(2011, 6, 1)),
        (gestore, day(2011, 6, 1)),
        (ordine, day(2012, 2, 1)),
        (parita, day(2012, 2, 1)),
        (uepe, day(2012, 9, 1)),
        (garante, day(2013, 3, 1)),
        (unito, day(2013, 3, 1)),
        (cuav, day(2014, 1, 15)),
    ] {
        d.join(
            torino,
            provincia,
            org,
            approved - chrono::Duration::days(30),
            approved,
        )
        .await?;
    }
    d.join(torino, provincia, cmto, day(2014, 12, 1), day(2015, 1, 1))
        .await?;
    d.run::<Network>(
        torino,
        Some(provincia),
        recorded(day(2015, 1, 1)),
        NetworkCommand::ChangeCoordinator {
            by: provincia,
            new_coordinator: cmto,
            effective_on: day(2015, 1, 1),
        },
    )
    .await?;
    d.run::<Organization>(
        cmto,
        Some(cmto),
        recorded(day(2015, 1, 1)),
        OrganizationCommand::Succeed {
            predecessor: provincia,
            effective_on: day(2015, 1, 1),
        },
    )
    .await?;
    let torino_members = [
        comune, cav, gestore, ordine, parita, uepe, garante, unito, cuav,
    ];
    let mut signatories: Vec<(OrganizationId, NaiveDate, &str)> =
        vec![(cmto, day(2018, 3, 1), "Sindaca metropolitana")];
    signatories.extend(
        torino_members
            .iter()
            .map(|o| (*o, day(2018, 3, 20), "Legale rappresentante")),
    );
    let torino_protocol = d.protocol("Protocollo d'intesa del Tavolo Maltrattanti (2018)", torino, cmto, ProtocolKind::Framework,
        "Confronto e scambio di buone prassi, valorizzazione delle realtà esistenti, creazione di una Rete per diffondere le informazioni e garantire l'accesso ai servizi",
        &[("Partecipare ai lavori del Tavolo e dei gruppi di lavoro", Some(365)), ("Individuare un proprio referente", Some(30)), ("Diffondere le informazioni sui servizi della Rete", None)],
        (day(2018, 3, 1), Some(day(2021, 2, 28))), &signatories).await?;
    d.run::<Protocol>(
        torino_protocol,
        Some(cmto),
        recorded(day(2021, 2, 1)),
        ProtocolCommand::Renew {
            valid_until: day(2024, 2, 29),
            decided_on: day(2021, 2, 1),
        },
    )
    .await?;
    d.group(
        torino,
        cmto,
        "Accoglienza",
        "Promuovere percorsi di confronto e scambio tra i partner per integrare i diversi approcci",
        cav,
        &[cuav, gestore],
    )
    .await?;
    d.group(
        torino,
        cmto,
        "Comunicazione",
        "Campagne di sensibilizzazione: #rispettonellosport#rispettonellavita, video e webinar",
        parita,
        &[unito, comune],
    )
    .await?;
    d.group(torino, cmto, "Formazione", "Moduli formativi per enti e organizzazioni, progetti nelle scuole secondarie, eventi per professionisti", ordine, &[unito, uepe]).await?;
    let chamber = d
        .organization("Camera di commercio di Torino", C::Altro, "Torino")
        .await?;
    activities::torino(
        &mut d,
        &activities::Torino {
            network: torino,
            coordinator: cmto,
            comune,
            parita,
            ordine,
            unito,
            cav,
            cuav,
            chamber,
        },
    )
    .await?;
    d.meeting(
        torino,
        cmto,
        "Un giorno perfetto: convegno online sul lavoro della Rete",
        MeetingKind::Conference,
        at(2020, 6, 22, 9),
        Venue::Online {
            link: Link::parse("https://www.cittametropolitana.torino.it/").expect("demo link"),
        },
        &[cmto, comune, cav, unito, cuav],
        Some((
            "Realizzare una serie di webinar con l'Università degli Studi di Torino",
            vec![ActionItem {
                obligor: unito,
                title: name("Organizzare i webinar"),
                due_on: Some(day(2020, 12, 31)),
            }],
        )),
    )
    .await?;

    // Pavia: the inter-institutional network convened by the Prefettura (seed 002).
    let prefettura = d
        .organization("Prefettura di Pavia", C::Prefettura, "Provincia di Pavia")
        .await?;
    let pavia = d
        .network(
            "Rete Territoriale Interistituzionale Antiviolenza di Pavia",
            NetworkKind::InterinstitutionalTable,
            "Provincia di Pavia",
            prefettura,
            day(2014, 11, 25),
        )
        .await?;
    let liberamente = d
        .organization(
            "Centro antiviolenza Liberamente (Pavia)",
            C::CentroAntiviolenza,
            "Pavia",
        )
        .await?;
    let kore = d
        .organization(
            "Centro antiviolenza Kore (Vigevano)",
            C::CentroAntiviolenza,
            "Vigevano",
        )
        .await?;
    let chiara = d
        .organization(
            "Centro antiviolenza C.H.I.A.R.A. (Voghera)",
            C::CentroAntiviolenza,
            "Voghera",
        )
        .await?;
    let ats = d
        .organization("ATS di Pavia", C::AziendaSanitaria, "Provincia di Pavia")
        .await?;
    let cuav_pv = d
        .organization(
            "Centro per uomini autori di violenza della provincia di Pavia (demo)",
            C::CentroUominiAutoriViolenza,
            "Provincia di Pavia",
        )
        .await?;
    let cas = d
        .organization(
            "Centri di accoglienza straordinaria e progetti SAI della provincia di Pavia (demo)",
            C::CentroAccoglienza,
            "Provincia di Pavia",
        )
        .await?;
    for org in [liberamente, kore, chiara, ats, cuav_pv, cas] {
        d.join(pavia, prefettura, org, day(2015, 1, 10), day(2015, 2, 1))
            .await?;
    }
    d.meeting(
        pavia,
        prefettura,
        "Quando le Reti si incontrano: violenza di genere e protezione internazionale",
        MeetingKind::Workshop,
        at(2024, 12, 12, 9),
        Venue::InPerson {
            address: name("Centro Servizi Formazione, Pavia"),
        },
        &[prefettura, liberamente, kore, chiara, cuav_pv, cas],
        Some((
            "Proseguire il percorso con ulteriori momenti di condivisione teorici e pratici",
            vec![ActionItem {
                obligor: liberamente,
                title: name("Proporre il calendario degli incontri con i CAS"),
                due_on: Some(day(2025, 3, 31)),
            }],
        )),
    )
    .await?;

    // Casalmaggiore: the network since May 2017 and its monthly district laboratory (seed 004).
    let mia = d
        .organization(
            "Associazione Mia – Centro Antiviolenza di Casalmaggiore",
            C::CentroAntiviolenza,
            "Casalmaggiore",
        )
        .await?;
    let casalmaggiore = d
        .network(
            "Rete Territoriale di Contrasto alla Violenza sulle donne del Casalasco",
            NetworkKind::TerritorialNetwork,
            "Distretto di Casalmaggiore",
            mia,
            day(2017, 5, 1),
        )
        .await?;
    let carabinieri = d
        .organization(
            "Compagnia Carabinieri di Casalmaggiore",
            C::Carabinieri,
            "Casalmaggiore",
        )
        .await?;
    let consorzio = d
        .organization(
            "Consorzio Casalasco Servizi Sociali",
            C::EnteGestoreServiziSociali,
            "Casalasco",
        )
        .await?;
    let comune_cm = d
        .organization("Comune di Casalmaggiore", C::Comune, "Casalmaggiore")
        .await?;
    let asst = d
        .organization(
            "ASST di Cremona – Consultorio Familiare Integrato di Casalmaggiore",
            C::Consultorio,
            "Casalmaggiore",
        )
        .await?;
    for org in [carabinieri, consorzio, comune_cm, asst] {
        d.join(casalmaggiore, mia, org, day(2017, 5, 1), day(2017, 6, 1))
            .await?;
    }
    d.meeting(
        casalmaggiore,
        mia,
        "Incontro con i Carabinieri della Compagnia di Casalmaggiore",
        MeetingKind::Plenary,
        at(2018, 2, 22, 9),
        Venue::InPerson {
            address: name("Sede della Compagnia Carabinieri di Casalmaggiore"),
        },
        &[mia, carabinieri, consorzio, comune_cm, asst],
        None,
    )
    .await?;
    for month in 3..=6 {
        d.meeting(
            casalmaggiore,
            mia,
            "Laboratorio distrettuale antiviolenza",
            MeetingKind::DistrictLab,
            at(2018, month, 15, 14),
            Venue::InPerson {
                address: name("Biblioteca di Casalmaggiore"),
            },
            &[mia, consorzio, asst],
            None,
        )
        .await?;
    }

    let school = d
        .organization(
            "Istituto di istruzione superiore di Casalmaggiore (demo)",
            C::Scuola,
            "Casalmaggiore",
        )
        .await?;
    series::casalmaggiore(&mut d, casalmaggiore, mia, &[carabinieri, school]).await?;

    // Barletta-Andria-Trani: the provincial network and its three-year plan (seed 003).
    let bat = d
        .organization(
            "Provincia di Barletta-Andria-Trani",
            C::Provincia,
            "Barletta-Andria-Trani",
        )
        .await?;
    let bat_network = d
        .network(
            "Tavolo Interistituzionale per le pari opportunità e contro la violenza della BAT",
            NetworkKind::InterinstitutionalTable,
            "Provincia di Barletta-Andria-Trani",
            bat,
            day(2015, 3, 1),
        )
        .await?;
    let asl_bt = d
        .organization("ASL BT", C::AziendaSanitaria, "Barletta-Andria-Trani")
        .await?;
    let ambiti = d
        .organization(
            "Ambiti territoriali sociali della BAT (demo)",
            C::EnteGestoreServiziSociali,
            "Barletta-Andria-Trani",
        )
        .await?;
    for org in [asl_bt, ambiti] {
        d.join(bat_network, bat, org, day(2015, 3, 10), day(2015, 4, 1))
            .await?;
    }
    let bat_protocol = d.protocol("Piano triennale degli Interventi Locali (PIL) – protocollo attuativo", bat_network, bat, ProtocolKind::Operational,
        "Costituzione di due Centri provinciali antiviolenza e di una Casa rifugio, di concerto con gli ambiti territoriali e la ASL",
        &[("Mappatura dei servizi e degli interventi esistenti", Some(180)), ("Individuazione dei servizi e degli interventi programmati", Some(270)),
          ("Individuazione degli interventi infrastrutturali necessari", Some(365)), ("Gestione a regia provinciale della rete dei servizi sovra ambito", None),
          ("Potenziamento delle équipes multidisciplinari", Some(365)), ("Percorsi formativi delle équipes multidisciplinari", Some(365)),
          ("Promozione e comunicazione dei servizi", Some(365))],
        (day(2015, 6, 1), Some(day(2018, 5, 31))), &[(bat, day(2015, 6, 1), "Presidente della Provincia"), (asl_bt, day(2015, 6, 20), "Direttore generale"), (ambiti, day(2015, 7, 1), "Coordinatore")]).await?;
    plans::bat(
        &mut d,
        &plans::Bat {
            network: bat_network,
            coordinator: bat,
            asl: asl_bt,
            ambiti,
            protocol: bat_protocol,
        },
    )
    .await?;
    // Stelle e Luci: the technical table and its seven commitments (seed 001).
    let capofila = d
        .organization(
            "Partenariato Stelle e Luci – soggetto capofila (demo)",
            C::AssociazioneEts,
            "Regione",
        )
        .await?;
    let stelle = d
        .network(
            "Tavolo tecnico interistituzionale Stelle e Luci",
            NetworkKind::TechnicalTable,
            "Regione",
            capofila,
            day(2019, 1, 10),
        )
        .await?;
    let parties = [
        (
            d.organization(
                "Centro antiviolenza della rete Stelle e Luci (demo)",
                C::CentroAntiviolenza,
                "Regione",
            )
            .await?,
            day(2019, 3, 1),
        ),
        (
            d.organization(
                "Comune aderente a Stelle e Luci (demo)",
                C::Comune,
                "Regione",
            )
            .await?,
            day(2019, 6, 15),
        ),
        (
            d.organization(
                "Azienda sanitaria aderente a Stelle e Luci (demo)",
                C::AziendaSanitaria,
                "Regione",
            )
            .await?,
            day(2019, 10, 10),
        ),
    ];
    // Its parties are members of the table (they report its shared figures).
    for (party, on) in parties {
        d.join(stelle, capofila, party, on, on).await?;
    }
    let signers: Vec<(OrganizationId, NaiveDate, &str)> = parties
        .iter()
        .map(|(o, d)| (*o, *d, "Legale rappresentante"))
        .collect();
    d.protocol("Protocollo d'intesa Stelle e Luci – Lavoro di rete", stelle, capofila, ProtocolKind::Bilateral,
        "Collaborazione a titolo gratuito per l'attività Lavoro di rete del progetto Stelle e Luci – Spazi per soggetti di diritti",
        &[("Realizzare Tavoli Tecnici e di coordinamento della rete", Some(180)), ("Individuare un proprio referente per i Tavoli tecnici", Some(30)),
          ("Garantire l'impiego in rete delle proprie competenze", Some(90)), ("Costruire e raccordare reti tra i soggetti che operano contro la violenza di genere", Some(365)),
          ("Sviluppare procedure operative integrate tra i servizi competenti", Some(270)), ("Sensibilizzare gli operatori degli enti dei Tavoli Tecnici", Some(365)),
          ("Costruire un sistema condiviso di rilevazione dei dati sui casi, in forma aggregata", Some(365))],
        (day(2019, 2, 1), Some(day(2022, 1, 31))), &signers).await?;

    figures::stelle_e_luci(&mut d, stelle, capofila, &parties.map(|(o, _)| o)).await?;
    services::register(
        &mut d,
        &services::Providers {
            torino,
            cmto,
            cuav,
            pavia,
            prefettura,
            liberamente,
            kore,
            chiara,
            cuav_pv,
            casalmaggiore,
            mia,
            bat_network,
            bat,
            ambiti,
            asl_bt,
        },
    )
    .await?;
    d.replay(store).await
}

/// Loads the demo dataset and lets the read side and the processes catch up.
pub async fn load_demo(store: &Store) -> anyhow::Result<()> {
    let written = load(store).await.context("failed to load the demo data")?;
    if written == 0 {
        // Nothing new to show: the server's followers take the log from here, and report
        // (without keeping the server from starting) a row they cannot apply.
        eprintln!("The demo data is already loaded.");
        return Ok(());
    }
    projections::catch_up_all(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("failed to bring the read side up to date")?;
    eprintln!("Loaded the demo data: {written} events.");
    Ok(())
}
