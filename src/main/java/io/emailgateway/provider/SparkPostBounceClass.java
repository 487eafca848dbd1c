package io.emailgateway.provider;

import io.emailgateway.event.BounceType;
import io.emailgateway.event.EventType;
import io.emailgateway.event.RejectReason;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * SparkPost's bounce classification codes ({@code bounce_class}), with SparkPost's own category
 * (support.sparkpost.com "Bounce Classification Codes", Feb 2020; class 26 from later copies of
 * that table) and the reject reason django-anymail derives from each code.
 *
 * <p>Category → {@link BounceType}: SparkPost advises "only check for hard or admin bounce-type
 * events" for suppression and calls soft, block and undetermined "usually temporary", so Hard
 * and Admin are {@code hard}, the rest {@code soft}. A few classes are not bounces at all
 * (auto-replies, list (un)subscribe requests answering the mail) and change the event type.
 */
enum SparkPostBounceClass {
  UNDETERMINED("1", "Undetermined", Category.UNDETERMINED, RejectReason.OTHER, null),
  INVALID_RECIPIENT("10", "Invalid Recipient", Category.HARD, RejectReason.INVALID, null),
  SOFT_BOUNCE("20", "Soft Bounce", Category.SOFT, RejectReason.BOUNCED, null),
  DNS_FAILURE("21", "DNS Failure", Category.SOFT, RejectReason.BOUNCED, null),
  MAILBOX_FULL("22", "Mailbox Full", Category.SOFT, RejectReason.BOUNCED, null),
  TOO_LARGE("23", "Too Large", Category.SOFT, RejectReason.BOUNCED, null),
  TIMEOUT("24", "Timeout", Category.SOFT, RejectReason.TIMED_OUT, null),
  ADMIN_FAILURE("25", "Admin Failure", Category.ADMIN, RejectReason.BLOCKED, null),
  SMART_SEND_SUPPRESSION("26", "Smart Send Suppression", Category.ADMIN, RejectReason.BLOCKED, null),
  NO_RCPT("30", "Generic Bounce: No RCPT", Category.HARD, RejectReason.BOUNCED, null),
  GENERIC_BOUNCE("40", "Generic Bounce", Category.SOFT, RejectReason.BOUNCED, null),
  MAIL_BLOCK("50", "Mail Block", Category.BLOCK, RejectReason.BLOCKED, null),
  SPAM_BLOCK("51", "Spam Block", Category.BLOCK, RejectReason.SPAM, null),
  SPAM_CONTENT("52", "Spam Content", Category.BLOCK, RejectReason.SPAM, null),
  PROHIBITED_ATTACHMENT("53", "Prohibited Attachment", Category.BLOCK, RejectReason.OTHER, null),
  RELAYING_DENIED("54", "Relaying Denied", Category.BLOCK, RejectReason.BLOCKED, null),
  AUTO_REPLY("60", "Auto-Reply", Category.SOFT, RejectReason.OTHER, EventType.AUTORESPONDED),
  TRANSIENT_FAILURE("70", "Transient Failure", Category.SOFT, RejectReason.BOUNCED, null),
  SUBSCRIBE("80", "Subscribe", Category.ADMIN, RejectReason.OTHER, EventType.SUBSCRIBED),
  UNSUBSCRIBE("90", "Unsubscribe", Category.HARD, RejectReason.UNSUBSCRIBED, EventType.UNSUBSCRIBED),
  CHALLENGE_RESPONSE("100", "Challenge-Response", Category.SOFT, RejectReason.OTHER, EventType.AUTORESPONDED);

  enum Category { HARD, SOFT, BLOCK, ADMIN, UNDETERMINED }

  private static final Map<String, SparkPostBounceClass> BY_CODE =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(c -> c.code, Function.identity()));

  private final String code;
  private final String label;
  private final Category category;
  private final RejectReason rejectReason;
  private final EventType eventType;

  SparkPostBounceClass(String code, String label, Category category, RejectReason rejectReason, EventType eventType) {
    this.code = code;
    this.label = label;
    this.category = category;
    this.rejectReason = rejectReason;
    this.eventType = eventType;
  }

  /** The class of a {@code bounce_class} value ("10", or 10), or null for a code SparkPost has not documented. */
  static SparkPostBounceClass of(String code) {
    return code == null ? null : BY_CODE.get(code.trim());
  }

  Category category() {
    return category;
  }

  RejectReason rejectReason() {
    return rejectReason;
  }

  /** The event type a bounce of this class really is (an auto-reply, a list request), or null: a bounce. */
  EventType bounceEventType() {
    return eventType;
  }

  BounceType bounceType() {
    return category == Category.HARD || category == Category.ADMIN ? BounceType.HARD : BounceType.SOFT;
  }

  /** Human text for the normalized {@code description}, e.g. "bounce class 10: Invalid Recipient". */
  String description() {
    return "bounce class " + code + ": " + label;
  }
}
