import Domain
import Foundation

@testable import App

extension DirectoryController.ResultView {
    static var mock: Self {
        Self(
            href: SiteURL.directoryService(.value("00000000-0000-4000-8000-000000000003")).path, name: "Maison Fictive de Brooks (fictif)",
            organisation: "Réseau Fictif (fictif)", summary: "Hébergement fictif.", categories: "Hébergement d'urgence", languages: "Tagalog",
            place: "Brooks · Alberta · Rural", eligibility: "Toutes et tous", capacity: "0 lit libre sur 12", full: true, stale: true, closed: true,
            confidential: true, hoursToday: "Ouvert 24 h sur 24")
    }
}

extension DirectoryController.ResultView {
    func withName(_ name: String) -> Self {
        Self(
            href: href, name: name, organisation: organisation, summary: summary, categories: categories, languages: languages, place: place,
            eligibility: eligibility, capacity: capacity, full: full, stale: stale, closed: closed, confidential: confidential,
            hoursToday: hoursToday)
    }
}

extension DirectoryController.IndexContext {
    static var mock: Self {
        Self(
            page: Mock.page("directory.title"), q: "tagalog", provinces: .optionList(Mock.options), regions: .optionList(Mock.options),
            categories: .optionList(Mock.options), languages: .optionList(Mock.options), eligibilities: .optionList(Mock.options), openNow: true,
            results: DirectoryController.ResultCards(
                [DirectoryController.ResultView.mock],
                .init(
                    category: "Catégorie", language: "Langue", eligibility: "Admissibilité", hoursToday: "Aujourd'hui",
                    capacity: "Capacité", address: "Adresse", confidential: "Confidentielle", closed: "Fermé", full: "Complet",
                    stale: "À vérifier")), total: 21,
            previousURL: SiteURL.directory.path + "?page=1", nextURL: SiteURL.directory.path + "?page=3", pageNumber: 2, manages: true,
            imports: true, forCase: Mock.caseID,
            errors: Mock.errors("q", "province", "region", "category", "language", "eligibility"))
    }
}

extension DirectoryController.ServiceContext {
    static var mock: Self {
        Self(
            page: Mock.page("directory.service.title"), result: DirectoryController.ResultView.mock, description: "Description fictive.",
            status: "Actif", member: true, ages: "18 ans et plus", gender: "Femmes", fees: "Gratuit", accessibility: "Sans marches",
            hours: [LabelledValue(labelKey: Weekday.mon.labelKey, value: "09:00 à 17:00")], phone: "555-0101", email: "accueil@fictif.example",
            website: "https://fictif.example", address: "1 rue Fictive", frontDoor: "555-0101", area: "Alberta", verified: "2 mars 2026",
            history: ["2 mars 2026 — fiche créée"], searchURL: SiteURL.directory.path + "?province=AB", canManage: true, csrf: "jeton-fictif",
            referURL: SiteURL.casePart(.value(Mock.caseID), .referrals).path + "?service=00000000-0000-4000-8000-000000000003", mayRefer: true,
            capacityAction: SiteURL.directoryAction(.value("00000000-0000-4000-8000-000000000003"), .capacity).path,
            verifyAction: SiteURL.directoryAction(.value("00000000-0000-4000-8000-000000000003"), .verify).path,
            editURL: SiteURL.directoryAction(.value("00000000-0000-4000-8000-000000000003"), .edit).path, available: "0", maximum: "12",
            units: Mock.options, errors: Mock.errors("available", "maximum", "unit"))
    }
}

extension DirectoryController.StaleContext {
    static var mock: Self {
        Self(
            page: Mock.page("directory.stale.title"),
            rows: [DirectoryController.StaleRow(result: DirectoryController.ResultView.mock, verified: "2 mars 2025")])
    }
}

extension DirectoryController.EditContext {
    static var mock: Self {
        Self(
            page: Mock.page("directory.edit.title"), csrf: "jeton-fictif",
            action: SiteURL.directoryAction(.value("00000000-0000-4000-8000-000000000003"), .edit).path,
            cancel: SiteURL.directoryService(.value("00000000-0000-4000-8000-000000000003")).path, version: 2,
            values: ["nameFR": "Maison Fictive (fictif)"], statuses: Mock.options, categories: Mock.options, eligible: Mock.options,
            confidential: true, days: [DirectoryController.DayRow(day: "mon", labelKey: Weekday.mon.labelKey, opens: "09:00", closes: "17:00")],
            errors: Mock.errors(
                "nameFR", "nameEN", "descriptionFR", "descriptionEN", "status", "categories", "languages", "eligible", "minimumAge", "maximumAge",
                "feesFR", "feesEN", "phone", "email", "website", "city", "address", "frontDoor", "hours", "form"))
    }
}

extension DirectoryController.NewContext {
    static var mock: Self {
        Self(
            page: Mock.page("directory.new.title"), csrf: "jeton-fictif", action: SiteURL.directoryNew.path, organisations: Mock.options,
            ownOrganisation: "Organisme Fictif", values: ["nameFR": "Maison Fictive (fictif)"], provinces: Mock.options, regions: Mock.options,
            categories: Mock.options,
            errors: Mock.errors("organisation", "newOrganisation", "nameFR", "nameEN", "category", "province", "city", "region"))
    }
}

extension DirectoryImportController.ImportContext {
    static var mock: Self {
        Self(
            page: Mock.page("directory.import.title"), csrf: "jeton-fictif", action: SiteURL.directoryImport.path, checked: true, rows: 12,
            creates: 2, updates: 10, goodRows: 11,
            problems: [.init(file: "services.csv", line: 3, column: "status", reason: "Valeur inconnue", value: "ouvert")],
            applyAction: SiteURL.directoryImportApply(.value("00000000-0000-4000-8000-000000000004")).path, errors: Mock.errors("files", "mode"))
    }
}
