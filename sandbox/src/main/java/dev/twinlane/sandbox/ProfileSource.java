package dev.twinlane.sandbox;

/** A profile's text and the name its errors are reported under (a file name, "minimal.profile", "--ns"). */
public record ProfileSource(String name, String text) {
}
