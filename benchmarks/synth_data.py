"""Vocabulary of the synthetic load letters: treatments, their guidelines and reasons, case narrative pieces.

FOR LOAD ONLY. The sentences read like IMR letters so that chunking, embedding and
BM25 see realistic text, but no medical claim here is checked: never show them to a
user, never add them to evals/gold.

Placeholders: {part} body part, {level} spinal level, {n} sessions, {q} quantity,
{f}/{w} visits a week / weeks, {h} hours, {m} months, {p}/{p2} pain scores.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Treatment:
    key: str
    request: str  # how the letter names the disputed item
    guideline: str  # what the reviewer cites
    family: str  # drives the MTUS / ODG / ACOEM mix
    statements: tuple[str, ...]  # what the guideline says
    against: tuple[str, ...]  # item-specific reasons to uphold the denial
    support: tuple[str, ...]  # item-specific reasons to overturn it


CPMTG = "MTUS Chronic Pain Medical Treatment Guidelines"

TREATMENTS: tuple[Treatment, ...] = (
    Treatment("pt", "Physical therapy {n} sessions for the {part}", f"{CPMTG}, Physical Medicine, pages 98-99", "MTUS",
              ("The guidelines allow for fading of treatment frequency from up to 3 visits per week to 1 or less, plus active self-directed home physical medicine.",
               "The guidelines recommend 9-10 visits over 8 weeks for myalgia and myositis and 8-10 visits over 4 weeks for neuralgia, neuritis and radiculitis."),
              ("The injured worker has already completed {n2} sessions of physical therapy for this injury, and the request would exceed the number of visits the guidelines allow.",
               "There is no explanation why the remaining deficits cannot be addressed with a home exercise program."),
              ("The records document a new flare of symptoms with a measurable loss of motion, and a short course of therapy to restore function is within the guidelines.",
               "This would be the first course of therapy for the {part}, and the number of visits requested is within the guideline recommendation.")),
    Treatment("aquatic", "Aquatic therapy {n} sessions", f"{CPMTG}, Aquatic therapy, page 22", "MTUS",
              ("Aquatic therapy is recommended as an optional form of exercise therapy where reduced weight bearing is desirable, for example extreme obesity.",),
              ("The records do not describe a condition that requires reduced weight bearing, and the injured worker walks without an assistive device.",
               "Land-based therapy has not been shown to fail, and no reason is given why a home program on land cannot continue."),
              ("The body mass index is documented at 41 and land-based exercise was stopped because of knee pain, so reduced weight bearing is desirable.",)),
    Treatment("chiro", "Chiropractic manipulation {f} times a week for {w} weeks for the {part}",
              f"{CPMTG}, Manual therapy & manipulation, pages 58-59", "MTUS",
              ("Manual therapy is recommended for chronic pain caused by musculoskeletal conditions, with a trial of 6 visits over 2 weeks and, with evidence of objective functional improvement, a total of up to 18 visits over 6-8 weeks.",),
              ("The injured worker has had at least {n2} chiropractic visits without documented objective functional improvement, and elective or maintenance care is not medically necessary.",
               "Manipulation is not recommended for the ankle, foot, forearm, wrist, hand or knee, and the request does not meet the criteria."),
              ("A trial of 6 visits has not yet been given for this flare, and the request is consistent with the trial the guidelines describe.",)),
    Treatment("acupuncture", "Acupuncture {n} sessions for the {part}", "MTUS Acupuncture Medical Treatment Guidelines", "MTUS",
              ("The Acupuncture Medical Treatment Guidelines state that the time to produce functional improvement is 3 to 6 treatments, and treatments may be extended if functional improvement is documented.",),
              ("Prior acupuncture was completed without documentation of a reduction in medication use or an increase in activity.",
               "The request exceeds the initial trial of 3 to 6 treatments the guidelines allow before functional improvement must be shown."),
              ("Acupuncture is used as an adjunct to physical rehabilitation that the injured worker is actively taking part in, and the request is within the initial trial.",)),
    Treatment("kit", "Home exercise kit for the {part}", "Official Disability Guidelines (ODG), Exercise equipment", "ODG",
              ("The ODG states that exercise equipment is considered not primarily medical in nature and is not recommended unless it meets the definition of durable medical equipment.",),
              ("There is no documentation of why a home exercise program cannot be performed without special equipment.",),
              ("The kit is a set of resistance bands issued by the therapist to continue the taught program, and it meets the definition of durable medical equipment.",)),
    Treatment("tens", "TENS unit, 30 day home trial", f"{CPMTG}, Transcutaneous electrotherapy, pages 114-116", "MTUS",
              ("A one-month home-based TENS trial may be considered as a noninvasive conservative option if used as an adjunct to a program of evidence-based functional restoration.",),
              ("There is no documentation of a functional restoration program that the unit would be an adjunct to, and no treatment plan with short and long-term goals.",),
              ("The injured worker has neuropathic pain that failed medications, and a one-month trial with documented outcomes is what the guidelines recommend.",)),
    Treatment("hwave", "H-wave unit (purchase)", f"{CPMTG}, H-wave stimulation (HWT), pages 117-118", "MTUS",
              ("H-wave stimulation is not recommended as an isolated intervention, but a one-month home-based trial may be considered after failure of initially recommended conservative care including a TENS unit.",),
              ("The records do not document a trial and failure of a TENS unit, and a purchase is requested before any home trial.",),
              ("A one-month home trial documented a decrease in medication use and an increase in walking tolerance, which supports continued use.",)),
    Treatment("lesi", "Lumbar epidural steroid injection at {level}", f"{CPMTG}, Epidural steroid injections (ESIs), page 46", "MTUS",
              ("Epidural steroid injections are recommended as an option for treatment of radicular pain, defined as pain in a dermatomal distribution with corroborative findings of radiculopathy.",
               "Radiculopathy must be documented by physical examination and corroborated by imaging studies and/or electrodiagnostic testing."),
              ("The examination shows no dermatomal sensory loss, no motor weakness and a negative straight leg raise, so radiculopathy is not documented.",
               "A prior injection gave less than 50% pain relief for less than six weeks, and repeat blocks require at least 50% relief with reduced medication use for six to eight weeks."),
              ("The dermatomal findings are corroborated by an MRI that shows nerve root contact at {level}, and conservative care has failed.",)),
    Treatment("cesi", "Cervical epidural steroid injection at C5-6", f"{CPMTG}, Epidural steroid injections (ESIs), page 46", "MTUS",
              ("No more than two nerve root levels should be injected using transforaminal blocks, and no more than one interlaminar level at one session.",),
              ("The records describe neck pain without radicular findings in the arms, and the imaging does not show nerve root compromise.",),
              ("There is a documented C6 sensory deficit with a diminished biceps reflex that matches the foraminal stenosis on MRI.",)),
    Treatment("facet", "Facet joint injection at {level} bilaterally", "Official Disability Guidelines (ODG), Low Back, Facet joint intra-articular injections", "ODG",
              ("The ODG states that intra-articular facet injections are under study, and no more than one therapeutic intra-articular block is recommended.",),
              ("The injured worker has radicular findings, and facet blocks are limited to patients with low back pain that is non-radicular.",),
              ("The pain is non-radicular, the facet loading test is positive and conservative care for more than four weeks has failed.",)),
    Treatment("rfa", "Radiofrequency ablation at {level}", "Official Disability Guidelines (ODG), Facet joint radiofrequency neurotomy", "ODG",
              ("Treatment requires a diagnosis of facet joint pain using a medial branch block with at least 70% pain relief.",),
              ("There is no documentation of a diagnostic medial branch block with at least 70% relief.",),
              ("Two diagnostic medial branch blocks each gave more than 70% relief for the duration of the anesthetic.",)),
    Treatment("mri", "MRI of the {part} without contrast", "MTUS ACOEM Practice Guidelines, Special Studies and Diagnostic and Treatment Considerations", "ACOEM",
              ("Imaging is supported when there are unequivocal objective findings that identify specific nerve compromise in patients who do not respond to treatment and who would consider surgery.",
               "Repeat imaging is not routinely recommended and should be reserved for a significant change in symptoms or findings suggestive of significant pathology."),
              ("There are no red flags, no progressive neurologic deficit and no plan for surgery documented in the records.",
               "An MRI was already performed after the injury, and there is no significant change in symptoms since then."),
              ("There is a new progressive neurologic deficit with weakness of {p2}/5 and the surgeon is considering an operation.",)),
    Treatment("ct", "CT scan of the {part}", "MTUS ACOEM Practice Guidelines, Chapter 12, Low Back Complaints, pages 303-304", "ACOEM",
              ("Computed tomography is recommended to define bony anatomy before surgery or when MRI cannot be performed.",),
              ("The records do not show that surgery is planned or that an MRI is contraindicated.",),
              ("The injured worker has a pacemaker, so MRI cannot be performed, and surgery is being planned.",)),
    Treatment("xray", "X-ray of the {part}", "MTUS ACOEM Practice Guidelines, Chapter 8, Neck and Upper Back Complaints, page 177", "ACOEM",
              ("Plain films are not recommended in the absence of red flags for serious spinal pathology, even if the pain has persisted for at least six weeks.",),
              ("No red flag is described, and radiographs of the same area were taken after the injury.",),
              ("There was a new fall with point tenderness over the bone, which is a red flag that supports a plain film.",)),
    Treatment("emg", "EMG/NCV of the bilateral lower extremities", "MTUS ACOEM Practice Guidelines, Chapter 12, page 303", "ACOEM",
              ("Electromyography may be useful to identify subtle, focal neurologic dysfunction in patients with low back symptoms lasting more than three or four weeks.",),
              ("The radiculopathy is already clinically obvious and confirmed by MRI, and there are no symptoms in the left leg to justify bilateral testing.",),
              ("The leg symptoms are not explained by the imaging, and testing is needed to tell radiculopathy from peripheral neuropathy.",)),
    Treatment("uds", "Urine drug screen", f"{CPMTG}, Drug testing, page 43", "MTUS",
              ("Drug testing is recommended as an option to assess for the use or the presence of illegal drugs and to monitor patients on opioids.",),
              ("The injured worker is not prescribed opioids, and a screen on a prior visit was consistent, with no aberrant behavior described.",),
              ("The injured worker continues on opioids and has not been tested in the past year, so a screen is part of ongoing management.",)),
    Treatment("norco", "Norco 10/325mg #{q}", f"{CPMTG}, Opioids, criteria for use, pages 76-80", "MTUS",
              ("On-going management of opioids requires documentation of pain relief, functional status, appropriate medication use and side effects.",
               "Opioids should be discontinued if there is no overall improvement in function, unless there are extenuating circumstances."),
              ("The records do not document a decrease in pain or an increase in function with the medication, and a weaning schedule would be appropriate.",
               "No urine drug screen or pain agreement is documented."),
              ("Pain decreases from {p}/10 to {p2}/10 with the medication, the injured worker can walk for 30 minutes, and a consistent urine drug screen and a pain agreement are on file.",)),
    Treatment("tramadol", "Tramadol ER 150mg #{q}", f"{CPMTG}, Tramadol, page 113; Opioids, pages 78-80", "MTUS",
              ("Tramadol is a centrally acting synthetic opioid analgesic and is not recommended as a first-line oral analgesic.",),
              ("The injured worker has used tramadol for more than a year without documented functional improvement.",),
              ("Pain relief and functional gains are documented at each visit and there are no side effects.",)),
    Treatment("oxycodone", "Oxycodone 10mg #{q}", f"{CPMTG}, Opioids, long-term assessment, pages 88-89", "MTUS",
              ("The guidelines recommend that dosing not exceed 120 mg oral morphine equivalents per day.",),
              ("The combined dose exceeds 120 mg morphine equivalents per day and there is no documented functional benefit.",),
              ("The dose is stable, the four domains of monitoring are documented and function improved.",)),
    Treatment("naproxen", "Naproxen sodium 550mg #{q}", f"{CPMTG}, NSAIDs, pages 67-73", "MTUS",
              ("NSAIDs are recommended at the lowest dose for the shortest period in patients with moderate to severe pain.",),
              ("The injured worker has used naproxen for years, and the records do not document pain relief or functional improvement from it.",
               "Renal function has not been monitored despite long-term use."),
              ("Naproxen reduces pain from {p}/10 to {p2}/10 and renal function was normal on recent testing.",)),
    Treatment("meloxicam", "Meloxicam 15mg #{q}", f"{CPMTG}, NSAIDs, specific drug list & adverse effects, pages 70-73", "MTUS",
              ("Meloxicam is recommended for the relief of the signs and symptoms of osteoarthritis.",),
              ("There is no diagnosis of osteoarthritis and another NSAID is already prescribed.",),
              ("The diagnosis is osteoarthritis of the knee and a lower dose was tolerated with documented benefit.",)),
    Treatment("omeprazole", "Omeprazole 20mg #{q}", f"{CPMTG}, NSAIDs, GI symptoms & cardiovascular risk, pages 68-69", "MTUS",
              ("A proton pump inhibitor is recommended for patients taking NSAIDs who are at intermediate or high risk for gastrointestinal events.",),
              ("The injured worker is not at intermediate or high risk: there is no history of peptic ulcer, GI bleeding or perforation, and no dyspepsia is documented.",),
              ("The injured worker is over 65, takes low-dose aspirin and an NSAID, and has a history of a bleeding ulcer.",)),
    Treatment("cyclobenzaprine", "Cyclobenzaprine 7.5mg #{q}", f"{CPMTG}, Muscle relaxants (for pain), pages 63-66", "MTUS",
              ("Muscle relaxants are recommended with caution as a second-line option for short-term treatment of acute exacerbations of chronic low back pain.",),
              ("The medication has been taken continuously for months, and the quantity requested is not consistent with a short course of therapy.",),
              ("There is a documented acute exacerbation with spasm, and the quantity requested covers a short course.",)),
    Treatment("gabapentin", "Gabapentin 600mg #{q}", f"{CPMTG}, Anti-epilepsy drugs (AEDs), pages 16-22", "MTUS",
              ("Gabapentin is recommended for neuropathic pain, and a good response is defined as a 50% reduction in pain.",),
              ("There are no neuropathic findings on examination, and no response to the medication is documented.",),
              ("The injured worker has radicular pain with documented burning and numbness, and the medication reduces it by half.",)),
    Treatment("topical", "Flurbiprofen/lidocaine cream 180gm", f"{CPMTG}, Topical analgesics, pages 111-113", "MTUS",
              ("Any compounded product that contains at least one drug or drug class that is not recommended is not recommended.",),
              ("Lidocaine is recommended only in the form of a dermal patch, so the compound is not recommended.",),
              ("The compound contains only a recommended NSAID for a superficial joint, and oral NSAIDs were not tolerated.",)),
    Treatment("lidoderm", "Lidoderm 5% patch #{q}", f"{CPMTG}, Lidoderm (lidocaine patch), pages 56-57", "MTUS",
              ("Topical lidocaine may be recommended for localized peripheral pain after there has been evidence of a trial of first-line therapy.",),
              ("There is no documentation of localized peripheral neuropathic pain or of a failed trial of an antidepressant or an AED.",),
              ("Localized neuropathic pain is documented and gabapentin was stopped because of dizziness.",)),
    Treatment("frp", "Functional restoration program, {h} hours", f"{CPMTG}, Chronic pain programs (functional restoration programs), pages 30-34", "MTUS",
              ("Treatment in a program is not suggested for longer than 2 weeks without evidence of demonstrated efficacy as documented by subjective and objective gains.",),
              ("An adequate and thorough evaluation has not been made, and negative predictors of success have not been addressed.",),
              ("A multidisciplinary evaluation found the injured worker motivated to change, and previous methods of treating the chronic pain have failed.",)),
    Treatment("cbt", "Cognitive behavioral therapy, {n} sessions", f"{CPMTG}, Behavioral interventions, page 23", "MTUS",
              ("The guidelines recommend an initial trial of 3-4 psychotherapy visits over 2 weeks, and with evidence of objective functional improvement, a total of up to 6-10 visits over 5-6 weeks.",),
              ("The request exceeds the initial trial of 3-4 visits the guidelines recommend.",),
              ("A psychological evaluation documented fear avoidance beliefs and the request is within the recommended trial.",)),
    Treatment("arthroscopy", "Right knee arthroscopy with partial meniscectomy", "MTUS ACOEM Practice Guidelines, Chapter 13, Knee Complaints, pages 344-345", "ACOEM",
              ("Arthroscopic partial meniscectomy usually has a high success rate for cases with clear evidence of a meniscus tear: symptoms other than pain, clear signs of a bucket handle tear on examination, and consistent findings on MRI.",),
              ("The MRI shows degenerative changes without a discrete tear, and arthroscopy is not recommended for osteoarthritis.",),
              ("There is locking and a positive McMurray test that match a displaced tear on the MRI.",)),
    Treatment("fusion", "Lumbar fusion at {level}", "MTUS ACOEM Practice Guidelines, Chapter 12, page 307; ODG, Low Back, Fusion (spinal)", "ACOEM",
              ("Spinal fusion in the absence of fracture, dislocation, or complications of tumor or infection is not usually considered during the first three months of symptoms.",),
              ("There is no instability on flexion and extension films, and no psychological screening was performed before surgery.",),
              ("Flexion and extension films show instability at {level} and a psychological screen cleared the injured worker for surgery.",)),
    Treatment("consult", "Orthopedic consultation for the {part}", "MTUS ACOEM Practice Guidelines, Chapter 7, Independent Medical Examinations and Consultations, page 127", "ACOEM",
              ("The occupational health practitioner may refer to other specialists if a diagnosis is uncertain or extremely complex.",),
              ("The diagnosis is clear and the injured worker has already been seen by an orthopedic surgeon who did not recommend surgery.",),
              ("The diagnosis remains uncertain after conservative care and imaging shows a lesion that may need surgery.",)),
    Treatment("hha", "Home health aide {h} hours per day", f"{CPMTG}, Home health services, page 51", "MTUS",
              ("Home health services are recommended only for medical treatment for patients who are homebound, generally up to no more than 35 hours per week.",),
              ("The injured worker is not homebound, and the request is for homemaker services such as shopping and cleaning.",),
              ("The injured worker is homebound after surgery and needs wound care that a family member cannot give.",)),
    Treatment("gym", "Gym membership for {m} months", "Official Disability Guidelines (ODG), Low Back, Gym memberships", "ODG",
              ("Gym memberships are not recommended as a medical prescription unless a home exercise program has not been effective and there is a need for equipment.",),
              ("There is no documentation that a home exercise program has failed or that treatment would be monitored by medical professionals.",),
              ("A supervised program at the gym was prescribed with monitoring by the therapist after a home program failed.",)),
    Treatment("brace", "Lumbar support brace", "MTUS ACOEM Practice Guidelines, Chapter 12, Low Back Complaints, page 301", "ACOEM",
              ("Lumbar supports have not been shown to have any lasting benefit beyond the acute phase of symptom relief.",),
              ("The injury is years old and the acute phase has long passed.",),
              ("The brace is requested for the first weeks after a fracture, which is an exception the guidelines allow.",)),
)

PARTS = ("lumbar spine", "cervical spine", "right shoulder", "left shoulder", "right knee", "left knee",
         "right wrist", "left wrist", "thoracic spine", "right elbow")
LEVELS = ("L4-5", "L5-S1", "L3-4", "L4-S1")

# Reasons that fit any item; "{item}" is the disputed item.
GENERIC_AGAINST = (
    "The records do not document objective functional improvement from the prior course of this treatment.",
    "The progress reports do not describe a change in work status, activities of daily living or medication use.",
    "The request does not state the frequency or duration of treatment, so its medical necessity cannot be established.",
    "The documentation does not explain why the treatment would help now when similar care has not helped before.",
    "Pain is rated {p}/10 at each visit without change over the past several months.",
    "The most recent report is more than three months old and does not describe current findings.",
    "Guideline criteria are not met on the records provided for review.",
)
GENERIC_FOR = (
    "The records document specific functional goals and a plan to measure them.",
    "Pain has decreased from {p}/10 to {p2}/10 and the injured worker returned to modified duty.",
    "The treating physician documents a clear plan with a time limit and objective measures of progress.",
    "The findings on examination are consistent and have been recorded at several visits.",
)

OCCUPATIONS = ("warehouse associate", "delivery driver", "janitor", "nurse assistant", "carpenter", "cashier",
               "hotel housekeeper", "machine operator", "school teacher", "farm worker", "bus driver", "cook",
               "electrician", "home care worker", "police officer", "office assistant")
MECHANISMS = ("lifting a heavy box", "slipping on a wet floor", "pulling a pallet jack", "falling from a ladder",
              "restraining a patient", "stepping off a truck", "pushing a loaded cart", "repetitive keyboard work",
              "carrying a case of bottled water", "twisting while moving a mattress")
DIAGNOSES = ("lumbar strain", "cervical sprain", "lumbar radiculopathy", "rotator cuff tendinitis",
             "medial meniscus tear", "carpal tunnel syndrome", "myofascial pain syndrome", "lumbar disc protrusion",
             "chronic pain syndrome", "knee osteoarthritis", "lateral epicondylitis", "depressive disorder")
HISTORY = ("physical therapy", "chiropractic care", "acupuncture", "a home exercise program", "naproxen",
           "a TENS unit", "a lumbar epidural steroid injection", "cyclobenzaprine", "a brace", "activity modification")
EXAM = ("paraspinal tenderness with muscle spasm", "flexion limited to {deg} degrees", "a positive straight leg raise at {deg} degrees",
        "decreased sensation in the L5 dermatome", "a positive impingement sign", "normal strength in all extremities",
        "tenderness over the medial joint line", "a positive Tinel sign at the wrist", "an antalgic gait")
NARRATIVE = (
    "Per the progress report dated {date1}, the injured worker reported {part} pain rated {p}/10, worse with prolonged standing.",
    "The injured worker remains on temporary total disability and has not returned to work.",
    "The injured worker returned to modified duty with restrictions on lifting over 20 pounds.",
    "Sleep is disturbed by pain and there is no history of substance abuse.",
    "The treating physician noted that the symptoms are unchanged since the last visit.",
    "A prior MRI of the {part} showed mild degenerative changes without nerve root compromise.",
    "The injured worker reports that medications help for a few hours and allow light household chores.",
    "There is no documentation of new trauma or of a change in neurologic findings.",
    "The report of {date2} documents continued pain and requests the treatment under review.",
    "A qualified medical evaluator found the injured worker not yet at maximum medical improvement.",
    "Prior utilization review certified a limited course of treatment earlier in the year.",
    "Blood pressure and heart rate were within normal limits at the most recent visit.",
)
SPECIALTIES = ("Orthopaedic Surgery", "Physical Medicine & Rehabilitation", "Anesthesiology", "Occupational Medicine",
               "Family Practice", "Internal Medicine", "Neurology", "Psychiatry", "Chiropractic")
