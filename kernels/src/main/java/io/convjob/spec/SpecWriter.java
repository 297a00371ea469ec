package io.convjob.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;

/**
 * A model as equinox-form spec JSON, every argument explicit, so {@link SpecParser} reads back the same records
 * (the weights come from a file, so no {@code key} is written).
 */
public final class SpecWriter {
    private SpecWriter() {}

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public static String toJson(ModelSpec model) {
        ObjectNode root;
        if (model.stack()) {
            root = JSON.createObjectNode();
            ArrayNode layers = root.putArray("layers");
            for (int i = 0; i < model.layers().size(); i++) layers.add(layer(model.layers().get(i), "layers[" + i + "]"));
        } else {
            root = layer(model.layers().get(0), "spec");
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @throws SpecException for a layer equinox has no form for (PyTorch's pooling where its windows differ)
     */
    private static ObjectNode layer(LayerSpec layer, String path) {
        ObjectNode node = JSON.createObjectNode();
        if (layer instanceof ActivationSpec a) {
            node.put("layer", a.activation().specName());
        } else if (layer instanceof ConvLayerSpec c) {
            conv(node, c);
        } else if (layer instanceof PoolSpec p) {
            node.put("layer", p.layerName());
            dims(node, "kernel_size", p.kernelSize());
            dims(node, "stride", p.stride());
            padding(node, p.padding());
            node.put("use_ceil", p.useCeil());
        } else if (layer instanceof AdaptivePoolSpec a) {
            node.put("layer", a.layerName());
            dims(node, "target_shape", a.targetShape());
        } else if (layer instanceof FlattenSpec) {
            node.put("layer", FlattenSpec.NAME);
        } else if (layer instanceof PoolLayerSpec p) {
            throw new SpecException(path + ": " + p.layerName() + " with PyTorch's windows (ceil_mode, dilation,"
                    + " count_include_pad=false, divisor_override or adaptive) has no equinox form; run the PyTorch"
                    + " spec itself");
        } else {
            throw new IllegalArgumentException("no equinox form for " + layer);
        }
        return node;
    }

    private static void padding(ObjectNode node, Padding.Explicit e) {
        ArrayNode pairs = node.putArray("padding");
        for (int d = 0; d < e.lo().size(); d++) pairs.addArray().add(e.lo().get(d)).add(e.hi().get(d));
    }

    private static void conv(ObjectNode node, ConvLayerSpec c) {
        node.put("layer", c.layerName());
        node.put("num_spatial_dims", c.numSpatialDims());
        node.put("in_channels", c.inChannels());
        node.put("out_channels", c.outChannels());
        dims(node, "kernel_size", c.kernelSize());
        dims(node, "stride", c.stride());
        if (c instanceof ConvTransposeSpec t) dims(node, "output_padding", t.outputPadding());
        if (c.padding() instanceof Padding.Named named) {
            node.put("padding", named.name());
        } else if (c.padding() instanceof Padding.Explicit e) {
            padding(node, e);
        }
        dims(node, "dilation", c.dilation());
        node.put("groups", c.groups());
        node.put("use_bias", c.useBias());
        node.put("padding_mode", c.paddingMode().name());
    }

    private static void dims(ObjectNode node, String key, Dims dims) {
        ArrayNode list = node.putArray(key);
        for (int v : dims.toArray()) list.add(v);
    }
}
