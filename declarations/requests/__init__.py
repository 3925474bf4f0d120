"""Requests a signed-in citizen files with their managing office and tracks.

Four small typed forms — reissue of the BHYT card, correction of personal
data, change of the initial KCB facility, and a report of wrong or missing
contribution months — each going to the clerk queue of the office that
manages the person, on the lifecycle every case follows
(``declarations.cases`` / ``declarations.lifecycle``):

- ``models``: ``ServiceRequest`` and its audit events;
- ``kinds``: per kind, the form that validates the typed payload, the case
  policy (what a clerk may send back, what an approval does, the notices)
  and how the payload reads on a page;
- ``services`` / ``selectors``: filing, approving with the office's answer,
  applying a facility change when its quarter starts; the citizen's and the
  clerk's lists;
- ``views`` / ``staff_views`` / ``api`` / ``staff_api`` and their URLs.
"""
