import Domain
import Fluent
import Foundation
import Vapor

/// A new listing from a page: what a listing cannot do without (who offers it, its names, where,
/// what kind); the full form follows to complete it. Coordinators choose or name the organisation;
/// an org admin lists a service of their own organisation.
extension DirectoryController {
    struct NewForm: Content {
        var organisation: String?
        var newOrganisation: String?
        var nameFR: String?
        var nameEN: String?
        var province: String?
        var city: String?
        var region: String?
        var category: String?
    }

    struct NewContext: Page {
        static let template = "directory/new"

        let page: PageChrome
        let csrf: String
        let action: String
        /// Coordinators choose; an org admin's listing is their organisation's.
        let organisations: [FormOption]?
        let ownOrganisation: String?
        let values: [String: String]
        let provinces: [FormOption]
        let regions: [FormOption]
        let categories: [FormOption]
        let errors: FormErrors
    }

    func renderNew(_ req: Request, form: NewForm, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let current = try req.requireUser()
        let coordinator = current.has(.networkCoordinator)
        let organisations = coordinator ? try await DirectoryOrganisation.query(on: req.db).sort(\.$name).all() : []
        return try await req.render(
            NewContext(
                page: PageChrome(req, titleKey: "directory.new.title"), csrf: req.csrfToken, action: SiteURL.directoryNew.path,
                organisations: coordinator
                    ? organisations.map { FormOption(value: $0.id!.uuidString, label: $0.name, selected: $0.id!.uuidString == form.organisation) }
                    : nil,
                ownOrganisation: coordinator ? nil : current.organisation.name,
                values: [
                    "newOrganisation": form.newOrganisation ?? "", "nameFR": form.nameFR ?? "", "nameEN": form.nameEN ?? "", "city": form.city ?? "",
                ],
                provinces: req.options(Province.self, selected: [form.province ?? ""], label: \.labelKey),
                regions: req.options(RegionKind.self, selected: [form.region ?? RegionKind.urban.rawValue], label: \.labelKey),
                categories: req.options(ServiceCategory.self, selected: [form.category ?? ""], label: \.labelKey), errors: errors),
            status: status)
    }

    @Sendable
    func newForm(req: Request) async throws -> Response {
        try await renderNew(req, form: NewForm(), errors: FormErrors())
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let form = (try? req.content.decode(NewForm.self)) ?? NewForm()
        var errors = FormErrors()
        func text(_ field: String, _ raw: String?, required: Bool = true) -> String {
            let value = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if required, value.isEmpty { errors.add(field, req.t("field.required")) }
            errors.check(field, value, limit: Self.textLimit, req)
            return value
        }
        var owner: DirectoryOrganisation?
        let newName = text("newOrganisation", form.newOrganisation, required: false)
        if current.has(.networkCoordinator) {
            if let id = form.organisation.flatMap(UUID.init(uuidString:)) {
                owner = try await DirectoryOrganisation.find(id, on: req.db)
                if owner == nil { errors.add("organisation", req.t("field.invalid_choice")) }
            } else if newName.isEmpty {
                errors.add("organisation", req.t("directory.new.error.organisation"))
            }
        } else {
            owner = try await DirectoryOrganisation.query(on: req.db).filter(\.$memberOrganisationID == current.organisation.id!).first()
        }
        let nameFR = text("nameFR", form.nameFR)
        let nameEN = text("nameEN", form.nameEN)
        let city = text("city", form.city)
        let province = form.province.flatMap(Province.init(rawValue:))
        if province == nil { errors.add("province", req.t("field.invalid_choice")) }
        let region = form.region.flatMap(RegionKind.init(rawValue:))
        if region == nil { errors.add("region", req.t("field.invalid_choice")) }
        let category = form.category.flatMap(ServiceCategory.init(rawValue:))
        if category == nil { errors.add("category", req.t("field.invalid_choice")) }
        guard errors.isEmpty, let province, let region, let category else {
            return try await renderNew(req, form: form, errors: errors, status: .unprocessableEntity)
        }
        let now = req.now
        let service = DirectoryService()
        service.id = UUID()
        service.nameFR = nameFR
        service.nameEN = nameEN
        service.descriptionFR = ""
        service.descriptionEN = ""
        service.status = ServiceStatus.active.rawValue
        service.categories = category.rawValue
        service.languages = "en,fr"
        service.eligibleStatuses = ""
        service.feesFR = ""
        service.feesEN = ""
        service.accessibilityFR = ""
        service.accessibilityEN = ""
        service.openingHours = OpeningHours()
        service.phone = ""
        service.email = ""
        service.website = ""
        service.province = province.rawValue
        service.city = city
        service.region = region.rawValue
        service.address = ""
        service.postalCode = ""
        service.confidential = category == .shelter
        service.frontDoor = ""
        service.serviceArea = province.rawValue
        service.verifiedOn = now
        service.version = 1
        service.updatedAt = now
        let memberID = current.has(.networkCoordinator) ? nil : current.organisation.id
        let ownName = current.organisation.name
        let chosen = owner
        try await req.db.writeTransaction { db in
            let listing: DirectoryOrganisation
            if let chosen {
                listing = chosen
            } else {
                listing = DirectoryOrganisation(
                    name: memberID == nil ? newName : ownName, memberOrganisationID: memberID, website: nil, updatedAt: now)
                try await listing.create(on: db)
            }
            service.organisationID = listing.id!
            service.searchText = DirectoryService.searchDocument([nameFR, nameEN, listing.name, city])
            try await service.create(on: db)
            try await Self.record(req, service, action: "created", changes: [], on: db)
        }
        return req.redirect(to: SiteURL.directoryAction(.value(service.id!.uuidString), .edit).path, saved: .directoryCreated)
    }
}
