from django.apps import AppConfig


class CivicPulseMonitoringConfig(AppConfig):
    name = "civicpulse_monitoring"
    verbose_name = "CivicPulse monitoring"

    def ready(self):
        from . import checks, conf, db, metrics, signals, telemetry  # noqa: F401  (checks registers itself)

        metrics.initialise(conf.routes())
        signals.connect()
        signals.install_security_handler()
        db.install()
        if conf.get("TRACING"):
            telemetry.configure_tracing()
        telemetry.configure_otel_metrics(conf.get("OTEL_METRICS_PORT"), conf.get("OTEL_METRICS_ADDRESS"))
