package org.diffusej.diagnostics;

import java.util.List;

/**
 * The software around DiffuseJ: the Java runtime and the operating system (DiffuseJ's own version heads the report).
 *
 * @param java       Java's version
 * @param javaVendor who built that Java
 * @param vm         the virtual machine's name
 * @param os         operating system name and version
 * @param arch       processor architecture as Java names it
 */
public record RuntimeSection(String java, String javaVendor, String vm, String os, String arch)
        implements Facts {

    /** This JVM's system properties. */
    static RuntimeSection gather() {
        return new RuntimeSection(System.getProperty("java.version"),
                System.getProperty("java.vendor"), System.getProperty("java.vm.name"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("os.arch"));
    }

    @Override
    public List<Line> lines() {
        return List.of(new Line("Java", java + " (" + javaVendor + ", " + vm + ")"),
                new Line("OS", os + " " + arch));
    }
}
