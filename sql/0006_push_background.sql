-- When each device last got a background (non-urgent) push. The push sender sends at most one
-- per device per 20 minutes (Signal's PushNotificationScheduler.BACKGROUND_NOTIFICATION_PERIOD)
-- and holds later non-urgent rows of push_queue back until the period has passed.
CREATE TABLE push_background (
    aci BINARY(16) NOT NULL,
    device_id TINYINT UNSIGNED NOT NULL,
    last_sent_ms BIGINT NOT NULL,
    PRIMARY KEY (aci, device_id)
) ENGINE=InnoDB;
