import Domain
import Fluent
import Foundation
import Vapor

/// A few hundred synthetic case files for `passerelle demo`. Every family name means "example"
/// or "sample" in some language, so no demo person can be mistaken for a real one.
enum DemoCases {
    static let givenNames = [
        "Aïcha", "Nguyễn Thị", "Ọlá", "María José", "Maricel", "Amani", "Jiwoo", "Thandiwe", "Dmitri", "Noor",
        "Kofi", "Lucía", "Ayesha", "Rosa", "Mei", "Tariq", "Chidinma", "Esperanza", "Ana", "Ngozi", "Joselito",
        "Hana", "Adéwálé", "Inés", "Priya", "Samuel", "Leilani", "Olena", "Yusuf", "Gabriela",
    ]
    static let familyNames = ["Exemple", "Ejemplo", "Halimbawa", "Àpẹẹrẹ", "Mẫu", "Muster", "Esempio", "Przykład", "Fictif", "Démo"]
    static let arabicNames = ["فاطمة تجريبية", "يوسف مثال"]

    /// Creates `perOrganisation` cases in every demo organisation that holds casework and has none yet.
    static func seed(_ app: Application, perOrganisation: Int = 120) async throws -> Int {
        let vault = CaseVault(master: app.masterKey)
        var generator = SeededGenerator(seed: 2019_11_27)
        var created = 0
        for (ordinal, spec) in DemoSeeder.organisations.filter({ $0.people.contains(where: { $0.2.contains(.caseworker) }) }).enumerated() {
            guard let organisation = try await Organisation.query(on: app.db).filter(\.$name == spec.name).first() else { continue }
            if try await CaseFile.query(on: app.db).filter(\.$organisation.$id == organisation.id!).count() > 0 { continue }
            let workers = try await User.query(on: app.db).filter(\.$organisation.$id == organisation.id!).all()
                .filter { $0.roleList.contains(.caseworker) || $0.roleList.contains(.supervisor) }
            for index in 0..<perOrganisation {
                let name =
                    index % 17 == 5
                    ? arabicNames[index % 2]
                    : "\(givenNames[Int.random(in: 0..<givenNames.count, using: &generator)]) \(familyNames[Int.random(in: 0..<familyNames.count, using: &generator)])"
                let opened = Date().addingTimeInterval(-Double(Int.random(in: 1...(3 * 365), using: &generator)) * 86_400)
                let statuses: [CaseStatus] = [.active, .active, .active, .followUp, .followUp, .closed, .closedReferred]
                let status = statuses[Int.random(in: 0..<statuses.count, using: &generator)]
                let worker = workers[index % max(workers.count, 1)]
                let file = try await CaseService.open(
                    on: app.db, vault: vault, organisation: organisation, openedBy: worker.id, preferredName: name,
                    province: spec.provinces[index % spec.provinces.count], now: opened, timeZone: app.config.timeZone,
                    actor: AuditActor(userID: worker.id, email: worker.email, organisationID: organisation.id),
                    requestID: nil, status: status)
                let key = try await vault.open(file, on: app.db)
                var person = PersonSection()
                person.ageBand = AgeBand.allCases[Int.random(in: 0..<AgeBand.allCases.count, using: &generator)].rawValue
                person.immigrationStatus =
                    ImmigrationStatus.allCases[Int.random(in: 0..<ImmigrationStatus.allCases.count, using: &generator)].rawValue
                person.genderIdentity = ["femme", "homme", "woman", "man", "non binaire", "trans woman", "Two-Spirit"][index % 7]
                person.gender =
                    [GenderCode.feminine, .masculine, .feminine, .masculine, .nonConforming, .transgenderFeminine, .nonConforming][
                        index % 7
                    ].rawValue
                person.region = ["urban", "rural", "remote"][index % 3]
                person.languages = ["espagnol, français", "tagalog, English", "yorùbá, English", "tiếng Việt", "العربية, français"][index % 5]
                person.interpreterNeeded = index % 3 == 0
                person.countryOfOrigin = ["Mexique", "Philippines", "Guatemala", "Jamaïque", "Inde", "Ukraine", "", "Nigeria"][index % 8]
                var safe = SafeContactSection()
                safe.channels = [["whatsapp"], ["signal", "in_person"], ["partner"], ["sms", "phone"]][index % 4]
                safe.safeTimes =
                    ["Semaine, 10 h à 14 h", "Weekdays after 6 p.m.", "Dimanche seulement", "Via la clinique partenaire (fictive)"][index % 4]
                safe.messagesAllowed = ["no", "yes", "unknown"][index % 3]
                safe.neverUse =
                    ["Le téléphone fourni par l'employeur (fictif)", "Never call the shared residence phone", "Aucun message vocal"][index % 3]
                file.sealedPerson = try vault.seal(section: person, field: .person, with: key)
                file.sealedSafeContact = try vault.seal(section: safe, field: .safeContact, with: key)
                file.closureReason = status.isClosed ? ClosureReason.allCases[index % ClosureReason.allCases.count].rawValue : nil
                file.closedAt = status.isClosed ? opened.addingTimeInterval(120 * 86_400) : nil
                try await CaseService.save(file, expectedVersion: 1, terms: nil, on: app.db) { _ in }
                try await addSections(
                    app, file: file, key: key, worker: worker, index: index, organisation: ordinal, opened: opened, generator: &generator,
                    vault: vault)
                created += 1
            }
        }
        return created
    }
}

extension DemoCases {
    /// Experience, needs, consents and a task or two, varied so every panel and filter has content.
    static func addSections(
        _ app: Application, file: CaseFile, key: CaseVault.Opened, worker: User, index: Int, organisation: Int, opened: Date,
        generator: inout SeededGenerator, vault: CaseVault
    ) async throws {
        let caseID = file.id!
        let organisationID = file.$organisation.id
        let labour = index % 3 != 1
        let experience = CaseExperience()
        experience.caseID = caseID
        experience.traffickingStatus = index % 4 == 0 ? TraffickingStatus.actual.rawValue : TraffickingStatus.possible.rawValue
        experience.exploitationTypes =
            labour
            ? (index % 5 == 0 ? "ForcedLabour,SexualExploitation" : "ForcedLabour")
            : ["SexualExploitation", "ForcedMarriage", "Servitude", "ForcedCriminality"][index % 4]
        experience.scope = index % 3 == 2 ? TraffickingScope.domestic.rawValue : TraffickingScope.international.rawValue
        experience.industry = labour ? LabourIndustry.allCases[Int.random(in: 0..<LabourIndustry.allCases.count, using: &generator)].rawValue : nil
        let controls = ControlMethod.allCases.shuffled(using: &generator).prefix(1 + index % 3)
        experience.controlMethods = controls.map(\.rawValue).joined(separator: ",")
        experience.recruitmentMethods = RecruitmentMethod.allCases[index % RecruitmentMethod.allCases.count].rawValue
        experience.recruiterRelationship = RecruiterRelationship.allCases[index % 3].rawValue
        experience.feesPaidCents = labour && index % 2 == 0 ? Int.random(in: 1_000...8_000, using: &generator) * 100 : nil
        experience.feesCurrency = experience.feesPaidCents == nil ? nil : "CAD"
        experience.recruiterLicensed = ["no", "unknown", "yes"][index % 3]
        var details = ExperienceDetails()
        // Each organisation's employers and recruiters are its own (a place name apart), except one
        // red flag the first two organisations share: the same greenhouse, written two ways, and its number.
        let place = ["Nordville", "Sudbourg", "Estrive", "Ouestmont", "Centreval", "Rivebelle", "Plateauville", "Valbourg"][organisation % 8]
        details.employers =
            labour
            ? ["Ferme Imaginaire \(place) inc. (fictive)", "Serres Exemplaires \(place) ltée (fictive)", "Sample Cleaning \(place) Co. (fictional)"][
                index % 3] : ""
        if organisation < 2 && index % 10 == 0 {
            details.employers =
                organisation == 0 ? "Serres Partagées Exemple ltée (fictive) 514 555-0100" : "SERRES PARTAGÉES EXEMPLE, +1 (514) 555-0100"
        }
        details.recruiters =
            ["Agence Placement Fictif \(place)", "Recruteur « Exemple » \(place)", "Sample Staffing \(place) (fictional)"][index % 3]
        experience.sealedDetails = try vault.seal(section: details, field: .experience, with: key)
        experience.version = 1
        experience.updatedAt = opened
        try await experience.create(on: app.db)

        let needKinds = NeedKind.allCases.shuffled(using: &generator).prefix(2 + index % 4)
        for (offset, kind) in needKinds.enumerated() {
            let status = NeedStatus.allCases[(index + offset) % NeedStatus.allCases.count]
            try await CaseNeed(caseID: caseID, organisationID: organisationID, need: kind, status: status, now: opened).create(on: app.db)
        }
        let consent = CaseConsent()
        consent.caseID = caseID
        consent.kind = ConsentKind.collect.rawValue
        consent.givenOn = opened
        consent.method = index % 2 == 0 ? ConsentMethod.verbal.rawValue : ConsentMethod.written.rawValue
        consent.language = ["espagnol", "English", "tagalog", "français"][index % 4]
        consent.recordedBy = worker.id!
        try await consent.create(on: app.db)
        if index % 3 != 0 {
            let statistics = CaseConsent()
            statistics.caseID = caseID
            statistics.kind = ConsentKind.statistics.rawValue
            statistics.givenOn = opened
            statistics.method = consent.method
            statistics.language = consent.language
            statistics.recordedBy = worker.id!
            try await statistics.create(on: app.db)
        }
        try await addApplication(app, file: file, index: index, opened: opened)
        if !file.caseStatus.isClosed {
            let task = CaseTask()
            task.id = UUID()
            task.caseID = caseID
            task.organisationID = organisationID
            task.sealedTitle = try vault.seal(
                [
                    "Rappeler pour le suivi (fictif)", "Prepare VOWP letter of explanation (fictional)",
                    "Accompagner au rendez-vous médical (fictif)",
                ][index % 3], field: .task(task.id!), with: key)
            task.dueOn = Date().addingTimeInterval(Double((index % 20) - 6) * 86_400)
            task.assigneeID = worker.id
            task.createdAt = opened
            try await task.create(on: app.db)
        }
    }
}

extension DemoCases {
    /// Applications in every state; approved ones end at varied distances, some within 90 days.
    static func addApplication(_ app: Application, file: CaseFile, index: Int, opened: Date) async throws {
        let codes = ["TRP_VTIP_INITIAL", "VOWP", "TRP_VTIP_SUBSEQUENT", "HC", "REFUGEE_CLAIM", "VOWP"]
        guard let pathway = try await PathwayType.query(on: app.db).filter(\.$code == codes[index % codes.count]).filter(\.$isCurrent == true).first()
        else { return }
        let states: [ApplicationState] = [
            .approved, .approved, .submitted, .preparing, .additionalInformationRequested, .refused, .approved, .withdrawn,
        ]
        let state = states[index % states.count]
        let application = PathwayApplication()
        application.caseID = file.id!
        application.organisationID = file.$organisation.id
        application.$pathway.id = pathway.id!
        application.state = state.rawValue
        application.createdAt = opened
        let items = pathway.checklistItems
        let complete = index % 3 != 0
        application.checklistDone = items.filter { complete ? $0.required : false }.map(\.key).joined(separator: ",")
        application.version = 1
        let today = Day(Date())
        if state != .preparing {
            let submitted = today.adding(days: -(20 + index * 3 % 200))
            application.submittedOn = submitted.date
            application.completeAtSubmission = complete
            if state == .additionalInformationRequested { application.infoRequestedOn = submitted.adding(days: 15).date }
            if [.approved, .refused, .withdrawn].contains(state) {
                let decided = submitted.adding(days: complete ? 3 + index % 5 : 30 + index % 40)
                application.decidedOn = decided.date
                if state == .approved, pathway.typicalValidityDays != nil {
                    let ends = today.adding(days: [12, 45, 75, 200, 400][index % 5])
                    application.validFrom = decided.date
                    application.validTo = max(ends, decided.adding(days: 1)).date
                }
            }
        }
        try await application.create(on: app.db)
    }
}

/// Deterministic generator, so every demo install shows the same fictional network.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
