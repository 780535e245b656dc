"""Official notices to institutions: templates in ``include/templates/notices`` rendered in the
institution's language (``render``), with realistic sample contexts for previews (``samples``).
The outbox and the dispatcher that store and send them live beside these modules."""
