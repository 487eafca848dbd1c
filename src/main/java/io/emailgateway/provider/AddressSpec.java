package io.emailgateway.provider;

/** The bare address of a mailbox as ESPs report it: {@code "Name <a@b.example>"} → {@code a@b.example}. */
final class AddressSpec {
  private AddressSpec() {}

  /** The part inside the last angle brackets, else the trimmed text; null for null or blank. */
  static String of(String mailbox) {
    if (mailbox == null) {
      return null;
    }
    int open = mailbox.lastIndexOf('<');
    int close = mailbox.lastIndexOf('>');
    String address = open >= 0 && close > open ? mailbox.substring(open + 1, close) : mailbox;
    address = address.trim();
    return address.isEmpty() ? null : address;
  }
}
