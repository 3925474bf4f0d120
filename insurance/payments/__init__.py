"""Voluntary BHXH and household BHYT renewal, paid online (issue 21).

``rules`` (dated figures) and ``amounts`` (pure arithmetic) compute what is
owed; ``plans`` checks a citizen's choice against the registry;
``providers`` speaks the gateway's wire format (VNPay, and a loopback fake
with the same format); ``services`` writes payments, handles the gateway's
notices and credits the registry; ``views``, ``api`` and ``fake_gateway``
are the doors.
"""
