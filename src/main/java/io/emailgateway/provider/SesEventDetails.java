package io.emailgateway.provider;

import static io.emailgateway.provider.JsonFields.object;
import static io.emailgateway.provider.JsonFields.text;

import io.emailgateway.event.BounceType;
import io.emailgateway.event.EmailEvent;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The type-specific part of an SES record: event type, bounce class, reasons, MTA text, click
 * URL and user agent. Field layouts: AWS SES developer guide "Contents of event data that Amazon
 * SES publishes to Amazon SNS" and its examples (awsdocs/amazon-ses-developer-guide).
 */
final class SesEventDetails {
  private static final Set<String> SEND_TIME = Set.of("Send", "Reject", "Rendering Failure", "RenderingFailure");

  private SesEventDetails() {}

  /** Types that have no time of their own: they happen when SES accepts the message. */
  static boolean isSendTime(String type) {
    return SEND_TIME.contains(type);
  }

  /** Sets what {@code type} tells about one recipient ({@code recipientDetail}: its entry in a recipient list, or null). */
  static void describe(String type, JsonObject record, JsonObject recipientDetail, EmailEvent.Builder event) {
    switch (type) {
      case "Bounce" -> bounce(object(record, "bounce"), recipientDetail, event);
      case "Complaint" -> complaint(object(record, "complaint"), event);
      case "Delivery" -> event.type(EventType.DELIVERED).mtaResponse(text(object(record, "delivery"), "smtpResponse"));
      case "Send" -> event.type(EventType.SENT);
      case "Reject" -> event.type(EventType.REJECTED).rejectReason(RejectReason.BLOCKED)
          .description(text(object(record, "reject"), "reason"));
      case "Open" -> engagement(EventType.OPENED, object(record, "open"), event);
      case "Click" -> engagement(EventType.CLICKED, object(record, "click"), event)
          .clickUrl(text(object(record, "click"), "link"));
      case "Rendering Failure", "RenderingFailure" -> event.type(EventType.FAILED)
          .description(text(object(record, "failure"), "errorMessage"));
      case "DeliveryDelay" -> event.type(EventType.DEFERRED)
          .description(text(object(record, "deliveryDelay"), "delayType"))
          .mtaResponse(text(recipientDetail, "diagnosticCode"));
      case "Subscription" -> subscription(object(record, "subscription"), event);
      default -> event.type(EventType.UNKNOWN).description("unknown SES event type '" + type + "'");
    }
  }

  /**
   * SES publishes only final bounces: Permanent = hard; Transient = soft (SES "has stopped trying
   * to re-deliver it"), so bounced and not deferred, as in anymail; Undetermined = soft, so an
   * address is never suppressed for good on evidence SES itself could not classify.
   */
  static BounceType bounceType(String sesBounceType) {
    if (sesBounceType == null) {
      return null;
    }
    return switch (sesBounceType) {
      case "Permanent" -> BounceType.HARD;
      case "Transient", "Undetermined" -> BounceType.SOFT;
      default -> null;
    };
  }

  private static void bounce(JsonObject bounce, JsonObject recipientDetail, EmailEvent.Builder event) {
    String type = text(bounce, "bounceType");
    String subType = text(bounce, "bounceSubType");
    event.type(EventType.BOUNCED).rejectReason(RejectReason.BOUNCED).bounceType(bounceType(type))
        .description(type == null ? subType : subType == null ? type : type + ": " + subType)
        .mtaResponse(text(recipientDetail, "diagnosticCode"));
  }

  private static void complaint(JsonObject complaint, EmailEvent.Builder event) {
    String feedbackType = text(complaint, "complaintFeedbackType");
    event.type(EventType.COMPLAINED).rejectReason(RejectReason.SPAM)
        .description(feedbackType != null ? feedbackType : text(complaint, "complaintSubType"))
        .userAgent(text(complaint, "userAgent"));
  }

  private static EmailEvent.Builder engagement(EventType type, JsonObject detail, EmailEvent.Builder event) {
    return event.type(type).userAgent(text(detail, "userAgent")).ip(text(detail, "ipAddress"));
  }

  /**
   * SES subscription management (contact lists): unsubscribed when the recipient now opts out of
   * everything or of a topic, subscribed when they opted back in, else unknown. The description
   * names the contact list and what changed, so a handler can tell one topic from all of them.
   */
  private static void subscription(JsonObject subscription, EmailEvent.Builder event) {
    JsonObject now = object(subscription, "newTopicPreferences");
    JsonObject before = object(subscription, "oldTopicPreferences");
    List<String> changes = new ArrayList<>();
    if (unsubscribeAll(now) != unsubscribeAll(before)) {
      changes.add(unsubscribeAll(now) ? "unsubscribeAll" : "resubscribeAll");
    }
    Map<String, String> was = topicStatuses(before);
    topicStatuses(now).forEach((topic, status) -> {
      if (!status.equals(was.get(topic))) {
        changes.add(topic + " " + status);
      }
    });
    boolean optedOut = unsubscribeAll(now) || changes.stream().anyMatch(change -> change.endsWith(" OptOut"));
    event.type(optedOut ? EventType.UNSUBSCRIBED : changes.isEmpty() ? EventType.UNKNOWN : EventType.SUBSCRIBED)
        .description("contact list " + text(subscription, "contactList") + " via " + text(subscription, "source")
            + (changes.isEmpty() ? "" : ": " + String.join(", ", changes)));
  }

  private static boolean unsubscribeAll(JsonObject preferences) {
    return preferences != null && Boolean.TRUE.equals(preferences.getValue("unsubscribeAll"));
  }

  private static Map<String, String> topicStatuses(JsonObject preferences) {
    Map<String, String> statuses = new LinkedHashMap<>();
    Object list = preferences == null ? null : preferences.getValue("topicSubscriptionStatus");
    if (list instanceof JsonArray topics) {
      for (Object item : topics) {
        if (item instanceof JsonObject topic && text(topic, "topicName") != null && text(topic, "subscriptionStatus") != null) {
          statuses.put(text(topic, "topicName"), text(topic, "subscriptionStatus"));
        }
      }
    }
    return statuses;
  }
}
